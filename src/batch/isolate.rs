//! Keeping one document's bug from costing the others: [`isolate`] runs one stage on one
//! document and turns a panic into an [`InternalError`] that becomes that document's error record.
//!
//! A panic's message and location are only known to the panic hook, which runs on the thread
//! that panicked, so each document is isolated on whatever thread processes it (inside rayon's
//! closures, not around them) and the hook hands them over through a thread-local. The hook also
//! keeps the default report ("thread panicked at ...", a backtrace note) off standard error for
//! the panics it catches: the run prints one line per internal error instead. Panics outside
//! [`isolate`] still get the default report.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Once;

use crate::input::{RecordError, RecordErrorKind};

/// A panic caught by [`isolate`]: a bug in claimtag, reported to the user as such.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("internal error while {stage}: {message}{}; please report this with the input", location_note(.location))]
pub struct InternalError {
    /// What was being done, as "while ..." reads it: "finding claims".
    pub stage: &'static str,
    /// The panic's message.
    pub message: String,
    /// Where it panicked (`src/claims/rules/grammar.rs:120:9`), when the hook saw it.
    pub location: Option<String>,
}

impl InternalError {
    /// The error record of the document `id` that this error cost.
    pub fn record(&self, id: String) -> RecordError {
        RecordError { id, kind: RecordErrorKind::Internal, message: self.to_string() }
    }
}

fn location_note(location: &Option<String>) -> String {
    location.as_ref().map_or_else(String::new, |at| format!(" (at {at})"))
}

thread_local! {
    /// How many [`isolate`] calls this thread is inside.
    static ISOLATING: Cell<usize> = const { Cell::new(0) };
    /// The last panic the hook saw on this thread inside [`isolate`]: message and location.
    static CAUGHT: RefCell<Option<(String, Option<String>)>> = const { RefCell::new(None) };
}

static INSTALL_HOOK: Once = Once::new();

/// Runs `work` (one stage, usually on one document), returning its result, or the panic it
/// raised as an [`InternalError`] of `stage`.
///
/// `work` must leave nothing half-done that outlives it when it panics: whatever it mutates is
/// dropped or overwritten by the caller (a failed document is replaced by its error record).
pub fn isolate<T>(stage: &'static str, work: impl FnOnce() -> T) -> Result<T, InternalError> {
    INSTALL_HOOK.call_once(install_hook);
    CAUGHT.with(|caught| caught.borrow_mut().take());
    ISOLATING.with(|depth| depth.set(depth.get() + 1));
    let result = catch_unwind(AssertUnwindSafe(work));
    ISOLATING.with(|depth| depth.set(depth.get() - 1));
    result.map_err(|payload| {
        let message = payload_message(payload.as_ref());
        // The hook's record belongs to this panic only if it says the same: a panic re-raised
        // from another thread (rayon does that) never passed this thread's hook.
        let location =
            CAUGHT
                .with(|caught| caught.borrow_mut().take())
                .and_then(|(seen, location)| if seen == message { location } else { None });
        InternalError { stage, message, location }
    })
}

fn install_hook() {
    let default = std::panic::take_hook();
    // With RUST_BACKTRACE set, a developer is asking for the full report of every panic.
    let report_all = std::env::var_os("RUST_BACKTRACE").is_some_and(|value| value != "0");
    std::panic::set_hook(Box::new(move |info| {
        if ISOLATING.with(Cell::get) == 0 {
            return default(info);
        }
        let location = info.location().map(ToString::to_string);
        CAUGHT.with(|caught| *caught.borrow_mut() = Some((payload_message(info.payload()), location)));
        if report_all {
            default(info);
        }
    }));
}

fn payload_message(payload: &(dyn Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&str>() {
        message.to_string()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "a panic without a message".to_string()
    }
}

/// Test support: `CLAIMTAG_FAILPOINT=STAGE:ID` makes `stage` panic on the document `id`, so that
/// tests can show what a bug in that stage costs. Compiled into debug builds only.
#[cfg(debug_assertions)]
#[track_caller]
pub fn failpoint(stage: &str, id: &str) {
    static FAILPOINT: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    let failpoint = FAILPOINT.get_or_init(|| std::env::var("CLAIMTAG_FAILPOINT").ok());
    if failpoint.as_deref().and_then(|spec| spec.split_once(':')) == Some((stage, id)) {
        panic!("failpoint {stage}:{id}");
    }
}

#[cfg(not(debug_assertions))]
#[inline(always)]
pub fn failpoint(_stage: &str, _id: &str) {}

#[cfg(test)]
mod tests {
    use rayon::prelude::*;

    use super::*;

    #[test]
    fn a_result_passes_through_untouched() {
        assert_eq!(isolate("adding", || 2 + 2), Ok(4));
    }

    #[test]
    fn a_panic_becomes_an_internal_error_with_its_message_and_location() {
        let line = line!() + 1;
        let error = isolate("finding claims", || -> usize { panic!("index {} out of range", 7) }).unwrap_err();
        assert_eq!(error.stage, "finding claims");
        assert_eq!(error.message, "index 7 out of range");
        let location = error.location.clone().unwrap_or_default();
        assert!(location.starts_with(&format!("src/batch/isolate.rs:{line}:")), "{location}");
        let text = error.to_string();
        assert!(text.starts_with("internal error while finding claims: index 7 out of range (at src/batch/"), "{text}");
        assert!(text.ends_with("; please report this with the input"), "{text}");
    }

    #[test]
    fn each_document_of_a_parallel_stage_fails_alone() {
        let outcomes: Vec<Result<usize, InternalError>> = (0..64usize)
            .into_par_iter()
            .map(|i| {
                isolate("squaring", || {
                    assert!(i % 10 != 3, "document {i} is cursed");
                    i * i
                })
            })
            .collect();
        for (i, outcome) in outcomes.iter().enumerate() {
            match outcome {
                Ok(square) => assert_eq!(*square, i * i),
                Err(error) => {
                    assert_eq!(i % 10, 3, "{error}");
                    assert_eq!(error.message, format!("document {i} is cursed"));
                    assert!(error.location.as_ref().is_some_and(|at| at.starts_with("src/batch/isolate.rs:")));
                }
            }
        }
        assert_eq!(outcomes.iter().filter(|outcome| outcome.is_err()).count(), 7);
    }

    #[test]
    fn an_inner_isolation_catches_first_and_the_outer_one_goes_on() {
        let outer = isolate("outer", || {
            let inner = isolate("inner", || panic!("inner bug"));
            assert_eq!(inner.unwrap_err().message, "inner bug");
            "outer finished"
        });
        assert_eq!(outer, Ok("outer finished"));
    }

    #[test]
    fn a_panic_with_a_non_string_payload_still_says_something() {
        let error = isolate("odd", || std::panic::panic_any(42u8)).unwrap_err();
        assert_eq!(error.message, "a panic without a message");
    }
}
