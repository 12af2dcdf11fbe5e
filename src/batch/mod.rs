//! Running `claimtag tag` over a collection, from one article to millions, in bounded memory.
//!
//! Three threads form a pipeline joined by bounded queues, so reading, the model and writing
//! overlap and nothing ever holds more than a few batches:
//! 1. the reader streams records, dropping those another shard owns or the output already holds;
//! 2. this thread gathers what has arrived into a batch (at most [`DOCUMENTS_PER_BATCH`]
//!    documents or [`TEXT_BYTES_PER_BATCH`] of text, never waiting for more, so a pipe gets its
//!    answers promptly), segments it and runs the model;
//! 3. the writer finds claims (on the rayon pool), pushes records into the sink in input order,
//!    ends the batch (the sink flushes) and reports progress.
//!
//! An unreadable document becomes an error record in its place and the run goes on; only a
//! failing model or output stops it, after everything before has been written.

mod progress;
mod resume;
mod shard;

use std::collections::HashSet;
use std::sync::mpsc::{sync_channel, Receiver, TryRecvError};

use rayon::prelude::*;

use crate::claims::ClaimRules;
use crate::input::{Reader, Record};
use crate::ner::NerError;
use crate::output::DocumentSink;
use crate::pipeline::Tagger;

pub use progress::{Progress, ProgressMode, Totals};
pub use resume::{completed_ids, ResumeError};
pub use shard::{Shard, ShardError};

/// Most documents in one model batch.
pub const DOCUMENTS_PER_BATCH: usize = 64;
/// Most text in one model batch, so that a batch of long articles stays small.
pub const TEXT_BYTES_PER_BATCH: usize = 1 << 20;

#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    #[error(transparent)]
    Ner(#[from] NerError),
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
}

/// Which inputs a run skips.
#[derive(Debug, Default)]
pub struct Selection {
    /// Only documents this shard owns; all when `None`.
    pub shard: Option<Shard>,
    /// Ids the output already holds (`--resume`).
    pub done: HashSet<String>,
}

impl Selection {
    fn skip_reason(&self, id: &str) -> Option<Skip> {
        if self.shard.is_some_and(|shard| !shard.owns(id)) {
            Some(Skip::OtherShard)
        } else if self.done.contains(id) {
            Some(Skip::AlreadyDone)
        } else {
            None
        }
    }
}

enum Skip {
    OtherShard,
    AlreadyDone,
}

/// Tags every record `reader` yields that `selection` keeps, and writes each (or its error
/// record) into `sink` in input order. Returns the run's totals; `progress` has shown them.
pub fn run(
    tagger: &Tagger,
    reader: Reader,
    selection: Selection,
    sink: &mut (dyn DocumentSink + Send),
    progress: &mut Progress,
) -> Result<Totals, BatchError> {
    let (record_tx, record_rx) = sync_channel::<Record>(2 * DOCUMENTS_PER_BATCH);
    let (batch_tx, batch_rx) = sync_channel::<TaggedBatch>(2);
    let claims = tagger.claim_rules();

    let (tagged, written, skipped) = std::thread::scope(|scope| {
        let reading = scope.spawn(move || {
            let mut skipped = Totals::default();
            for record in reader {
                let id = match &record {
                    Ok(doc) => &doc.id,
                    Err(error) => &error.id,
                };
                match selection.skip_reason(id) {
                    Some(Skip::OtherShard) => skipped.other_shards += 1,
                    Some(Skip::AlreadyDone) => skipped.already_done += 1,
                    None => {
                        if record_tx.send(record).is_err() {
                            break; // The run stopped; nobody is listening.
                        }
                    }
                }
            }
            skipped
        });
        let writing = scope.spawn(move || write_batches(batch_rx, claims, sink, progress));
        let tagged = tag_batches(tagger, &record_rx, batch_tx);
        // Unblocks the reader if tagging stopped early.
        drop(record_rx);
        let written = writing.join().expect("the writer thread does not panic");
        let skipped = reading.join().expect("the reader thread does not panic");
        (tagged, written, skipped)
    });
    // The writer's error explains a tagging stop caused by a closed queue, so it goes first.
    let (mut totals, progress) = written?;
    tagged?;
    totals.already_done = skipped.already_done;
    totals.other_shards = skipped.other_shards;
    progress.finish(&totals);
    Ok(totals)
}

/// A batch of records in input order, documents tagged with entities, and its sub-token count.
struct TaggedBatch {
    records: Vec<Record>,
    tokens: usize,
}

fn tag_batches(
    tagger: &Tagger,
    records: &Receiver<Record>,
    batches: std::sync::mpsc::SyncSender<TaggedBatch>,
) -> Result<(), NerError> {
    while let Some(mut records) = next_batch(records) {
        let mut docs: Vec<_> =
            records.iter_mut().filter_map(|record| record.as_mut().ok()).map(std::mem::take).collect();
        let tokens = tagger.tag_entities(&mut docs)?;
        let mut tagged = docs.into_iter();
        for record in records.iter_mut().filter_map(|record| record.as_mut().ok()) {
            *record = tagged.next().expect("one tagged document per document taken");
        }
        if batches.send(TaggedBatch { records, tokens }).is_err() {
            break; // The writer stopped; its error is the run's.
        }
    }
    Ok(())
}

/// Waits for one record, then takes whatever else has already arrived, up to a batch.
fn next_batch(records: &Receiver<Record>) -> Option<Vec<Record>> {
    let first = records.recv().ok()?;
    let mut text_bytes = text_len(&first);
    let mut batch = vec![first];
    while batch.len() < DOCUMENTS_PER_BATCH && text_bytes < TEXT_BYTES_PER_BATCH {
        match records.try_recv() {
            Ok(record) => {
                text_bytes += text_len(&record);
                batch.push(record);
            }
            Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
        }
    }
    Some(batch)
}

fn text_len(record: &Record) -> usize {
    record.as_ref().map_or(0, |doc| doc.text.len())
}

fn write_batches<'p>(
    batches: Receiver<TaggedBatch>,
    claims: Option<&ClaimRules>,
    sink: &mut (dyn DocumentSink + Send),
    progress: &'p mut Progress,
) -> Result<(Totals, &'p mut Progress), std::io::Error> {
    let mut totals = Totals::default();
    for mut batch in batches {
        if let Some(claims) = claims {
            batch.records.par_iter_mut().filter_map(|record| record.as_mut().ok()).for_each(|doc| claims.apply(doc));
        }
        for record in &batch.records {
            match record {
                Ok(doc) => {
                    sink.write(doc)?;
                    totals.documents += 1;
                    totals.entities += doc.entities.len();
                    totals.claims += doc.claims.len();
                }
                Err(error) => {
                    sink.write_error(error)?;
                    totals.errors += 1;
                }
            }
        }
        sink.end_batch()?;
        totals.tokens += batch.tokens;
        progress.update(&totals);
    }
    sink.finish()?;
    Ok((totals, progress))
}
