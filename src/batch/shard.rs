//! Splitting a collection across machines: each shard takes the documents whose id hashes to it.
//!
//! The hash is FNV-1a (64-bit) of the id's UTF-8 bytes, modulo the number of shards: fixed by
//! its definition, not by a library version or a random seed, so every machine of a job (and a
//! rerun next year) agrees on who owns what, and the shards' union is exactly the collection.

/// Shard `index` of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ShardError {
    #[error("--shard-index {index} is out of range for --num-shards {count} (indices run from 0 to {})", count.saturating_sub(1))]
    OutOfRange { index: u64, count: u64 },
    #[error("--num-shards must be at least 1")]
    NoShards,
    #[error("--shard-index is {index} but the number of shards is unknown: pass --num-shards (or set SLURM_ARRAY_TASK_COUNT or CLAIMTAG_NUM_SHARDS)")]
    MissingCount { index: u64 },
    #[error("--num-shards is {count} but this task's index is unknown: pass --shard-index (or run as a Slurm array task or a Kubernetes Indexed Job)")]
    MissingIndex { count: u64 },
    #[error("environment variable {name}={value:?} is not a number")]
    BadVariable { name: &'static str, value: String },
}

impl Shard {
    /// The shard from explicit options, else from the scheduler's environment: Slurm array jobs
    /// (`SLURM_ARRAY_TASK_ID` counted from `SLURM_ARRAY_TASK_MIN`, `SLURM_ARRAY_TASK_COUNT`),
    /// Kubernetes Indexed Jobs (`JOB_COMPLETION_INDEX`), and `CLAIMTAG_NUM_SHARDS` for the count.
    /// `None` when nothing says to shard.
    pub fn resolve(
        index: Option<u64>,
        count: Option<u64>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<Shard>, ShardError> {
        let number = |name: &'static str| -> Result<Option<u64>, ShardError> {
            env(name).map(|value| value.trim().parse().map_err(|_| ShardError::BadVariable { name, value })).transpose()
        };
        let index = match index {
            Some(index) => Some(index),
            None => match number("SLURM_ARRAY_TASK_ID")? {
                Some(task) => Some(task - number("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0).min(task)),
                None => number("JOB_COMPLETION_INDEX")?,
            },
        };
        let count = match count {
            Some(count) => Some(count),
            None => number("SLURM_ARRAY_TASK_COUNT")?.or(number("CLAIMTAG_NUM_SHARDS")?),
        };
        match (index, count) {
            (None, None) => Ok(None),
            (Some(index), None) => Err(ShardError::MissingCount { index }),
            (None, Some(count)) => Err(ShardError::MissingIndex { count }),
            (Some(_), Some(0)) => Err(ShardError::NoShards),
            (Some(index), Some(count)) if index >= count => Err(ShardError::OutOfRange { index, count }),
            (Some(index), Some(count)) => Ok(Some(Shard { index, count })),
        }
    }

    /// Whether the document with `id` belongs to this shard.
    pub fn owns(&self, id: &str) -> bool {
        fnv1a(id.as_bytes()) % self.count == self.index
    }
}

fn fnv1a(bytes: &[u8]) -> u64 {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes.iter().fold(OFFSET_BASIS, |hash, &byte| (hash ^ u64::from(byte)).wrapping_mul(PRIME))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    #[test]
    fn the_hash_is_the_published_fnv1a() {
        // Test vectors of the FNV reference implementation.
        assert_eq!(fnv1a(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x85944171f73967e8);
    }

    #[test]
    fn every_id_belongs_to_exactly_one_shard_and_shards_are_balanced() {
        let shards: Vec<Shard> = (0..4).map(|index| Shard { index, count: 4 }).collect();
        let mut sizes = [0usize; 4];
        for i in 0..4000 {
            let id = format!("doc-{i}");
            let owners: Vec<&Shard> = shards.iter().filter(|shard| shard.owns(&id)).collect();
            assert_eq!(owners.len(), 1, "{id}");
            sizes[owners[0].index as usize] += 1;
        }
        assert!(sizes.iter().all(|&n| (850..1150).contains(&n)), "{sizes:?}");
    }

    #[test]
    fn options_win_over_the_environment() {
        let slurm = env(&[("SLURM_ARRAY_TASK_ID", "3"), ("SLURM_ARRAY_TASK_COUNT", "8")]);
        assert_eq!(Shard::resolve(None, None, &slurm), Ok(Some(Shard { index: 3, count: 8 })));
        assert_eq!(Shard::resolve(Some(1), Some(2), &slurm), Ok(Some(Shard { index: 1, count: 2 })));
        assert_eq!(Shard::resolve(None, None, env(&[])), Ok(None));
    }

    #[test]
    fn slurm_arrays_starting_at_one_count_from_their_minimum() {
        let slurm =
            env(&[("SLURM_ARRAY_TASK_ID", "1"), ("SLURM_ARRAY_TASK_MIN", "1"), ("SLURM_ARRAY_TASK_COUNT", "4")]);
        assert_eq!(Shard::resolve(None, None, slurm), Ok(Some(Shard { index: 0, count: 4 })));
    }

    #[test]
    fn kubernetes_indexed_jobs_take_the_count_from_claimtag_num_shards() {
        let k8s = env(&[("JOB_COMPLETION_INDEX", "2"), ("CLAIMTAG_NUM_SHARDS", "5")]);
        assert_eq!(Shard::resolve(None, None, k8s), Ok(Some(Shard { index: 2, count: 5 })));
        let k8s = env(&[("JOB_COMPLETION_INDEX", "2")]);
        assert_eq!(Shard::resolve(None, None, k8s), Err(ShardError::MissingCount { index: 2 }));
    }

    #[test]
    fn bad_shard_settings_are_refused() {
        assert_eq!(Shard::resolve(Some(4), Some(4), env(&[])), Err(ShardError::OutOfRange { index: 4, count: 4 }));
        assert_eq!(Shard::resolve(Some(0), Some(0), env(&[])), Err(ShardError::NoShards));
        assert_eq!(Shard::resolve(None, Some(3), env(&[])), Err(ShardError::MissingIndex { count: 3 }));
        let bad = env(&[("JOB_COMPLETION_INDEX", "two")]);
        assert!(matches!(Shard::resolve(None, Some(3), bad), Err(ShardError::BadVariable { .. })));
    }
}
