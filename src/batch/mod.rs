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
//! An unreadable document becomes an error record in its place and the run goes on, and so does
//! a document that hits a bug (a panic) in any per-document stage: it gets an `internal` error
//! record. Only a failing model or output stops a run, after everything before has been written.

mod isolate;
mod progress;
mod resume;
mod shard;

use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TryRecvError};
use std::thread::ScopedJoinHandle;

use rayon::prelude::*;

use crate::claims::ClaimRules;
use crate::document::Document;
use crate::input::{Reader, Record, RecordError, RecordErrorKind};
use crate::ner::{EncodedBatch, NerError};
use crate::output::DocumentSink;
use crate::pipeline::{Preparer, Tagger};

pub use isolate::{isolate, InternalError};
pub use progress::{Progress, ProgressMode, Totals};
pub use resume::{completed_ids, prepare_output, Completed, OutputKind, ResumeError};
pub use shard::{Shard, ShardError};

use isolate::failpoint;

/// Most documents in one model batch.
pub const DOCUMENTS_PER_BATCH: usize = 64;
/// Most text in one model batch, so that a batch of long articles stays small.
pub const TEXT_BYTES_PER_BATCH: usize = 1 << 20;

/// What stops a run. Everything before it has been written.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    #[error(transparent)]
    Ner(#[from] NerError),
    /// A bug in the model stage: the batch it was tagging cannot be told apart document by document.
    #[error("while tagging the batch of documents {first} to {last}: {error}")]
    Model { first: String, last: String, error: InternalError },
    /// A bug outside the per-document stages (reading the input, the runner itself).
    #[error("{0}")]
    Internal(InternalError),
    #[error("cannot write the output: {0}")]
    Output(std::io::Error),
}

/// Which inputs a run skips.
#[derive(Debug, Default)]
pub struct Selection {
    /// Only documents this shard owns; all when `None`.
    pub shard: Option<Shard>,
    /// The records the output already holds (`--resume`): for each id, that many of its first
    /// occurrences in the input are skipped.
    pub done: Completed,
}

impl Selection {
    fn skip_reason(&mut self, id: &str) -> Option<Skip> {
        if self.shard.is_some_and(|shard| !shard.owns(id)) {
            return Some(Skip::OtherShard);
        }
        match self.done.ids.get_mut(id) {
            Some(left) if *left > 0 => {
                *left -= 1;
                Some(Skip::AlreadyDone)
            }
            _ => None,
        }
    }
}

enum Skip {
    OtherShard,
    AlreadyDone,
}

/// Tags every record `reader` yields that `selection` keeps, and writes each (or its error
/// record) into `sink` in input order. Returns the run's totals; `progress` has shown them.
///
/// A panic while segmenting, tokenizing, finding claims or writing one document costs only that
/// document: it gets an `internal` error record in its place (see [`isolate`]) and the run goes
/// on. An error or a panic of the model, a failing sink, or a panic elsewhere stops the run,
/// after everything before it has been written.
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

    let mut totals = Totals { errors_before: selection.done.errors, ..Totals::default() };
    let (read, prepared, tagged, written) = std::thread::scope(|scope| {
        let (totals, progress) = (&mut totals, &mut *progress);
        let reading = scope.spawn(move || isolate("reading the input", || read_records(reader, selection, record_tx)));
        let preparing =
            scope.spawn(move || isolate("preparing documents", || prepare_batches(preparer, record_rx, prepared_tx)));
        let writing =
            scope.spawn(move || isolate("writing", || write_batches(tagged_rx, claims, sink, progress, totals)));
        // Returning drops this end of both queues, which stops the threads feeding it early.
        let tagged = tag_batches(tagger, prepared_rx, tagged_tx);
        (
            joined(reading, "reading the input"),
            joined(preparing, "preparing documents"),
            tagged,
            joined(writing, "writing"),
        )
    });
    // The writer's error explains a stop upstream caused by a closed queue, so it goes first;
    // the others each leave the threads after them to finish what they were given.
    let outcome = written
        .map_err(BatchError::Internal)
        .and_then(|written| written.map_err(BatchError::Output))
        .and(tagged)
        .and(prepared.map_err(BatchError::Internal))
        .and(read.map_err(BatchError::Internal));
    match outcome {
        Ok(skipped) => {
            totals.already_done = skipped.already_done;
            totals.other_shards = skipped.other_shards;
            progress.finish(&totals);
            Ok(totals)
        }
        Err(error) => {
            progress.stop(&totals);
            Err(error)
        }
    }
}

/// A stage thread's result; a panic that escaped [`isolate`] (from a destructor, say) is its error.
fn joined<T>(handle: ScopedJoinHandle<'_, Result<T, InternalError>>, stage: &'static str) -> Result<T, InternalError> {
    handle
        .join()
        .unwrap_or_else(|_| Err(InternalError { stage, message: "the thread panicked".to_string(), location: None }))
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

    /// Takes one outcome of a stage per document, in order: a document whose stage failed
    /// leaves the batch, its error record taking its place. Returns the other outcomes.
    fn keep_unfailed<T>(&mut self, outcomes: Vec<Result<T, InternalError>>) -> Vec<T> {
        debug_assert_eq!(outcomes.len(), self.docs.len(), "one outcome per document");
        let mut stages = std::mem::take(&mut self.docs).into_iter().zip(outcomes);
        let mut kept = Vec::with_capacity(stages.len());
        for slot in self.order.iter_mut().filter(|slot| slot.is_none()) {
            let Some((doc, outcome)) = stages.next() else { break };
            match outcome {
                Ok(value) => {
                    self.docs.push(doc);
                    kept.push(value);
                }
                Err(error) => *slot = Some(error.record(doc.id)),
            }
        }
        kept
    }
}

fn read_records(reader: Reader, mut selection: Selection, records: SyncSender<Record>) -> Totals {
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

/// Segments and tokenizes each document on its own (in parallel), so that a bug costs only the
/// document that hits it.
fn prepare_batches(preparer: Preparer<'_>, records: Receiver<Record>, prepared: SyncSender<(Batch, EncodedBatch)>) {
    while let Some(records) = next_batch(&records) {
        let mut batch = Batch::from_records(records);
        let outcomes: Vec<Result<EncodedBatch, InternalError>> = batch
            .docs
            .par_iter_mut()
            .map(|doc| {
                isolate("segmenting", || {
                    failpoint("segment", &doc.id);
                    preparer.segment(doc);
                })?;
                isolate("tokenizing", || {
                    failpoint("tokenize", &doc.id);
                    preparer.encode(doc)
                })
            })
            .collect();
        let encoded = batch.keep_unfailed(outcomes).into_iter().collect();
        if prepared.send((batch, encoded)).is_err() {
            break; // The model stopped; its error is the run's.
        }
    }
}

fn tag_batches(
    tagger: &Tagger,
    prepared: Receiver<(Batch, EncodedBatch)>,
    tagged: SyncSender<Batch>,
) -> Result<(), BatchError> {
    for (mut batch, encoded) in prepared {
        if let (Some(first), Some(last)) = (batch.docs.first(), batch.docs.last()) {
            let (first, last) = (first.id.clone(), last.id.clone());
            let docs = &mut batch.docs;
            let outcome = isolate("running the model", || {
                docs.iter().for_each(|doc| failpoint("model", &doc.id));
                tagger.tag_prepared(docs, encoded)
            });
            batch.tokens = outcome.map_err(|error| BatchError::Model { first, last, error })??;
        }
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

/// Finds claims (documents in parallel, each on its own), then writes the batch in input order.
/// Counts into `totals`, which holds what was written also when writing fails.
fn write_batches(
    batches: Receiver<Batch>,
    claims: Option<&ClaimRules>,
    sink: &mut (dyn DocumentSink + Send),
    progress: &mut Progress,
    totals: &mut Totals,
) -> Result<(), std::io::Error> {
    for mut batch in batches {
        if let Some(claims) = claims {
            let outcomes: Vec<Result<(), InternalError>> = batch
                .docs
                .par_iter_mut()
                .map(|doc| {
                    isolate("finding claims", || {
                        failpoint("claims", &doc.id);
                        claims.apply(doc);
                    })
                })
                .collect();
            batch.keep_unfailed(outcomes);
        }
        let mut docs = batch.docs.into_iter();
        for slot in batch.order {
            let error = match slot {
                Some(error) => error,
                None => {
                    let Some(doc) = docs.next() else { break };
                    // A sink builds a record before writing any of it, so a panic writes nothing.
                    match isolate("writing the record", || {
                        failpoint("write", &doc.id);
                        sink.write(&doc)
                    }) {
                        Ok(written) => {
                            written?;
                            totals.documents += 1;
                            totals.entities += doc.entities.len();
                            totals.claims += doc.claims.len();
                            continue;
                        }
                        Err(error) => error.record(doc.id),
                    }
                }
            };
            if error.kind == RecordErrorKind::Internal {
                totals.internal_errors += 1;
                progress.note(&format!("{}: {}", error.id, error.message));
            }
            totals.errors += 1;
            match isolate("writing an error record", || sink.write_error(&error)) {
                Ok(written) => written?,
                Err(bug) => progress.note(&format!("{}: {bug}", error.id)),
            }
        }
        sink.end_batch()?;
        totals.tokens += batch.tokens;
        progress.update(totals);
    }
    sink.finish()
}
