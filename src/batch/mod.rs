//! Running `claimtag tag` over a collection, from one article to millions, in bounded memory.
//!
//! Four threads form a pipeline joined by bounded queues, so reading, tokenizing, the model and
//! writing overlap and nothing ever holds more than a few batches:
//! 1. the reader streams records, dropping those another shard owns or the output already holds;
//! 2. the preparer gathers what has arrived into a batch (at most [`DOCUMENTS_PER_BATCH`]
//!    documents or [`TEXT_BYTES_PER_BATCH`] of text, never waiting for more, so a pipe gets its
//!    answers promptly), then segments and tokenizes it (documents in parallel);
//! 3. this thread runs the model, which must stay on the thread that loaded it;
//! 4. the writer finds claims (documents in parallel), pushes records into the sink in input
//!    order, ends the batch (the sink flushes) and reports progress.
//!
//! An unreadable document becomes an error record in its place and the run goes on; only a
//! failing model or output stops it, after everything before has been written.

mod progress;
mod resume;
mod shard;

use std::collections::HashSet;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TryRecvError};

use rayon::prelude::*;

use crate::claims::ClaimRules;
use crate::document::Document;
use crate::input::{Reader, Record, RecordError};
use crate::ner::{EncodedBatch, NerError};
use crate::output::DocumentSink;
use crate::pipeline::{Preparer, Tagger};

pub use progress::{Progress, ProgressMode, Totals};
pub use resume::{completed_ids, prepare_output, OutputKind, ResumeError};
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
    let (prepared_tx, prepared_rx) = sync_channel::<(Batch, EncodedBatch)>(2);
    let (tagged_tx, tagged_rx) = sync_channel::<Batch>(2);
    let preparer = tagger.preparer();
    let claims = tagger.claim_rules();

    let (tagged, written, skipped) = std::thread::scope(|scope| {
        let reading = scope.spawn(move || read_records(reader, &selection, record_tx));
        scope.spawn(move || prepare_batches(preparer, record_rx, prepared_tx));
        let writing = scope.spawn(move || write_batches(tagged_rx, claims, sink, progress));
        // Returning drops this end of both queues, which stops the threads feeding it early.
        let tagged = tag_batches(tagger, prepared_rx, tagged_tx);
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

/// Documents in input order with the error records between them.
struct Batch {
    docs: Vec<Document>,
    /// Input order: `None` is the next of `docs`, `Some` an error record.
    order: Vec<Option<RecordError>>,
    /// Sub-tokens the model tagged.
    tokens: usize,
}

impl Batch {
    fn from_records(records: Vec<Record>) -> Self {
        let mut batch =
            Batch { docs: Vec::with_capacity(records.len()), order: Vec::with_capacity(records.len()), tokens: 0 };
        for record in records {
            match record {
                Ok(doc) => {
                    batch.docs.push(doc);
                    batch.order.push(None);
                }
                Err(error) => batch.order.push(Some(error)),
            }
        }
        batch
    }
}

fn read_records(reader: Reader, selection: &Selection, records: SyncSender<Record>) -> Totals {
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
                if records.send(record).is_err() {
                    break; // The run stopped; nobody is listening.
                }
            }
        }
    }
    skipped
}

fn prepare_batches(preparer: Preparer<'_>, records: Receiver<Record>, prepared: SyncSender<(Batch, EncodedBatch)>) {
    while let Some(records) = next_batch(&records) {
        let mut batch = Batch::from_records(records);
        let encoded = preparer.prepare(&mut batch.docs);
        if prepared.send((batch, encoded)).is_err() {
            break; // The model stopped; its error is the run's.
        }
    }
}

fn tag_batches(
    tagger: &Tagger,
    prepared: Receiver<(Batch, EncodedBatch)>,
    tagged: SyncSender<Batch>,
) -> Result<(), NerError> {
    for (mut batch, encoded) in prepared {
        batch.tokens = tagger.tag_prepared(&mut batch.docs, encoded)?;
        if tagged.send(batch).is_err() {
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
    batches: Receiver<Batch>,
    claims: Option<&ClaimRules>,
    sink: &mut (dyn DocumentSink + Send),
    progress: &'p mut Progress,
) -> Result<(Totals, &'p mut Progress), std::io::Error> {
    let mut totals = Totals::default();
    for mut batch in batches {
        if let Some(claims) = claims {
            batch.docs.par_iter_mut().for_each(|doc| claims.apply(doc));
        }
        let mut docs = batch.docs.iter();
        for slot in &batch.order {
            match slot {
                None => {
                    let doc = docs.next().expect("one document per empty slot");
                    sink.write(doc)?;
                    totals.documents += 1;
                    totals.entities += doc.entities.len();
                    totals.claims += doc.claims.len();
                }
                Some(error) => {
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
