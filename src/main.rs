use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::builder::TypedValueParser;
use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

use claimtag::batch::{self, prepare_output, BatchError, Progress, ProgressMode, Selection, Shard};
use claimtag::claims::{ClaimRules, Grouping};
use claimtag::corpus::{read_labeled, read_polnear};
use claimtag::eval::claims::{evaluate_claims, read_tagged, EntitySource};
use claimtag::eval::ner::{evaluate, Records};
use claimtag::eval::EvalTable;
use claimtag::input::{expand_inputs, InputFormat, InputSource, Reader, ReaderConfig, DEFAULT_MAX_DOC_BYTES};
use claimtag::ner::{
    check_device, default_batch_tokens, parse_device, resolve_model_dir, Decoding, NerConfig, NerModel, Precision,
};
use claimtag::output::{DocumentSink, Format, JsonlSink, OutputStream};
use claimtag::pipeline::Tagger;
use claimtag::train::{read_training_data, CorpusSpec, StderrProgress, TrainConfig, Trainer};
use tch::Device;

#[derive(Parser)]
#[command(
    name = "claimtag",
    version,
    about = "Tag people, places and organisations in news text, and the claims made about them"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Tag entities in articles and print them as JSON with code point offsets.
    Tag(TagArgs),
    /// Fine-tune a BERT encoder for NER on CoNLL or JSONL span files.
    Train(TrainArgs),
    /// Entity-level precision, recall and F1 of a model on labelled data (conlleval semantics).
    Eval(EvalArgs),
    /// Claims against PolNeAR attributions: exact and token-overlap F1 per role, attribution F1.
    EvalClaims(EvalClaimsArgs),
    /// Article extraction from web pages against marked article bodies (the scrapinghub
    /// benchmark's 4-token shingle scoring): precision, recall, F1, pages/s, the worst pages.
    EvalExtraction(EvalExtractionArgs),
}

#[derive(clap::Args)]
struct EvalExtractionArgs {
    /// A directory holding ground-truth.json ({id: {"articleBody": ...}}) and html/<id>.html.gz.
    dir: PathBuf,
    /// How many of the worst-scoring pages to list.
    #[arg(long, default_value_t = 10)]
    worst: usize,
}

#[derive(clap::Args)]
struct EvalClaimsArgs {
    /// A PolNeAR split: a directory holding text/ and attributions/.
    #[arg(long)]
    polnear: PathBuf,
    #[command(flatten)]
    model: ModelArgs,
    /// Take the entities from documents tagged before (`claimtag tag` JSONL over the same texts,
    /// ids = article names) instead of running the model.
    #[arg(long, value_name = "JSONL")]
    tagged: Option<PathBuf>,
    /// Write the documents with their predicted claims here, as JSONL.
    #[arg(long, value_name = "FILE")]
    predictions: Option<PathBuf>,
    /// Print the scores as JSON.
    #[arg(long)]
    json: bool,
    /// With a model that tags claim roles: claims from the role tags (learned), the rules alone
    /// (rules), or both (combined).
    #[arg(long, value_enum, default_value_t = Grouping::default())]
    grouping: Grouping,
    /// Keep only claims whose cue is of these classes, the class column of the cue table
    /// (src/claims/cues.tsv): say, report, claim and warn are statements, believe and intend
    /// internal states, seem impressions; `--cue-classes say,report,claim,warn` keeps who said
    /// what. A learned cue the table does not know has no class. [default: every claim]
    #[arg(long, value_delimiter = ',', value_name = "CLASS,...", value_parser = cue_class_arg)]
    cue_classes: Vec<String>,
    /// Also print each rule's claims and precision: a claim is correct when it matches a gold
    /// attribution as the attribution score counts.
    #[arg(long, conflicts_with = "json")]
    rules: bool,
}

#[derive(clap::Args)]
struct EvalArgs {
    /// Labelled data: CoNLL columns, .jsonl spans, Doccano .jsonl, a Label Studio .json export,
    /// or a brat directory.
    #[arg(long)]
    data: PathBuf,
    #[command(flatten)]
    model: ModelArgs,
    /// Score every sentence as a record of its own, with no document around it (as `--pipe`
    /// users and headline taggers send text), instead of each document as one record.
    #[arg(long)]
    per_sentence: bool,
    /// Print the scores as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
struct TrainArgs {
    /// Encoder to start from (Hugging Face layout: config.json, vocab.txt, model.safetensors).
    #[arg(long)]
    base: PathBuf,
    /// Entity training data, repeatable: CoNLL columns (token first, tag last; IOB1 or IOB2),
    /// .jsonl spans, Doccano .jsonl, a Label Studio .json export or a brat directory. PATH@N
    /// shows each of its documents N times an epoch (fractions are drawn per document).
    #[arg(long, value_name = "PATH[@N]", required = true, value_parser = corpus_arg)]
    train: Vec<CorpusSpec>,
    /// Dev data, repeatable, in the same formats; the epoch with the best mean dev F1 is kept,
    /// and each corpus's F1 is reported.
    #[arg(long)]
    dev: Vec<PathBuf>,
    /// A PolNeAR split (a directory holding text/ and attributions/) whose claim roles (source,
    /// cue, content) train a role head on the same encoder.
    #[arg(long, value_name = "DIR[@N]", value_parser = corpus_arg)]
    roles_train: Option<CorpusSpec>,
    /// A PolNeAR split for scoring the role head after each epoch.
    #[arg(long, value_name = "DIR", requires = "roles_train")]
    roles_dev: Option<PathBuf>,
    /// Train the role head as a linear-chain CRF (a sequence-level loss and learned label
    /// transitions, which `tag` then decodes with).
    #[arg(long, requires = "roles_train")]
    role_crf: bool,
    /// Output model directory (also holds checkpoint/ for --resume).
    #[arg(long)]
    out: PathBuf,
    #[arg(long, default_value_t = 5)]
    epochs: usize,
    #[arg(long, default_value_t = 1e-4)]
    lr: f64,
    /// Padded sub-tokens per batch.
    #[arg(long, default_value_t = 1536)]
    batch_tokens: usize,
    #[arg(long, default_value_t = 13)]
    seed: u64,
    /// Leave out the casing embedding (plain fine-tuning).
    #[arg(long)]
    no_casing: bool,
    /// Sub-tokens of neighbouring sentences of the same document fed on each side (unlabelled);
    /// `tag` then uses the same context.
    #[arg(long, default_value_t = 0)]
    context_tokens: usize,
    /// Consecutive sentences of one document, up to N sub-tokens, are trained as one sequence
    /// sharing one context (0: each sentence alone); `tag` then packs the same way.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pack_tokens: usize,
    /// Lay each document out alone, with half the context, or with all of it, drawn anew each
    /// epoch, so the model tags lone sentences as well as whole articles.
    #[arg(long)]
    vary_context: bool,
    /// Continue from OUT/checkpoint after an interruption.
    #[arg(long)]
    resume: bool,
    /// Train on the first N sentences of each corpus only.
    #[arg(long)]
    limit: Option<usize>,
    /// auto, cpu, cuda or cuda:N.
    #[arg(long, default_value = "auto", value_parser = device_arg)]
    device: Device,
    /// libtorch intra-op threads, at most 1024 [default: one per core].
    #[arg(long, value_parser = threads_arg())]
    threads: Option<usize>,
}

#[derive(clap::Args)]
#[command(after_help = "Exit status: 0 when every document was tagged; 3 when the run finished but some inputs \
could not be read or hit a bug (each has an error record in the output; after --resume, also those written before); \
1 on a fatal error (model, output); 2 on bad usage.")]
struct TagArgs {
    /// Input files or directories (searched recursively for .txt, .html, .htm, .jsonl,
    /// .jsonl.gz, .jsonl.zst); none or `-` reads standard input.
    inputs: Vec<PathBuf>,
    #[command(flatten)]
    model: ModelArgs,
    /// json: one pretty object per document (an array for several); jsonl: one object a line;
    /// pretty: the text with entities highlighted; the others are annotation tools' formats
    /// [default: jsonl with --output or --pipe, else json].
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// auto: by file extension (.html/.htm HTML, .jsonl JSONL, else text; standard input is text);
    /// text: each input is one document; html: each input is one web page, its article extracted;
    /// jsonl: one {"id", "text", ...} object a line.
    #[arg(long, value_enum, default_value_t = InputKind::Auto)]
    input_format: InputKind,
    /// Write here instead of standard output; .gz or .zst compresses.
    #[arg(long)]
    output: Option<PathBuf>,
    /// Continue an interrupted run: skip the ids --output already holds and append the rest.
    #[arg(long, requires = "output")]
    resume: bool,
    /// JSONL on standard input to exactly one JSONL line per input line on standard output, in
    /// order, flushed per batch (for Spark's RDD.pipe and shell pipelines).
    #[arg(long, conflicts_with_all = ["inputs", "output", "resume", "shard_index", "num_shards"])]
    pipe: bool,
    /// Documents (files, or JSONL lines) larger than this become error records.
    #[arg(long, default_value_t = DEFAULT_MAX_DOC_BYTES)]
    max_doc_bytes: usize,
    /// Tag only the documents whose id hashes to this shard [default: $SLURM_ARRAY_TASK_ID or
    /// $JOB_COMPLETION_INDEX].
    #[arg(long)]
    shard_index: Option<u64>,
    /// Number of shards [default: $SLURM_ARRAY_TASK_COUNT or $CLAIMTAG_NUM_SHARDS].
    #[arg(long, value_parser = shard_count_arg)]
    num_shards: Option<u64>,
    /// Progress on standard error: auto (a bar on a terminal, else a line every 30 s), bar,
    /// plain, or none; all but none end with a summary.
    #[arg(long, value_enum, default_value_t = ProgressKind::Auto)]
    progress: ProgressKind,
    /// Add each document's sentence spans to its record.
    #[arg(long)]
    sentences: bool,
    /// Tag entities only; leave "claims" empty.
    #[arg(long)]
    no_claims: bool,
    /// With a model that tags claim roles: claims from the role tags (learned), the rules alone
    /// (rules), or both (combined). A model without a role head always gets the rules.
    #[arg(long, value_enum, default_value_t = Grouping::default())]
    grouping: Grouping,
    /// Keep only claims whose cue is of these classes, the class column of the cue table
    /// (src/claims/cues.tsv): say, report, claim and warn are statements, believe and intend
    /// internal states, seem impressions; `--cue-classes say,report,claim,warn` keeps who said
    /// what. A learned cue the table does not know has no class. [default: every claim]
    #[arg(long, value_delimiter = ',', value_name = "CLASS,...", value_parser = cue_class_arg)]
    cue_classes: Vec<String>,
}

/// Which model to run, and how.
#[derive(clap::Args)]
struct ModelArgs {
    /// Model directory in Hugging Face layout [default: $CLAIMTAG_MODEL, else the shipped model].
    #[arg(long)]
    model: Option<PathBuf>,
    /// auto, cpu, cuda or cuda:N.
    #[arg(long, default_value = "auto", value_parser = device_arg)]
    device: Device,
    /// libtorch intra-op threads, at most 1024 [default: one per core].
    #[arg(long, value_parser = threads_arg())]
    threads: Option<usize>,
    /// Padded sub-tokens per model batch [default: 1024 on the CPU, 32768 on a GPU].
    #[arg(long)]
    batch_tokens: Option<usize>,
    /// fp32, or fp16 / bf16 (for GPUs; slower than fp32 on most CPUs).
    #[arg(long, value_enum, default_value_t = Precision::Fp32)]
    precision: Precision,
    /// greedy: each word's most likely label; constrained: the most likely valid IOB2 sequence
    /// (Viterbi) [default: what the model's config.json declares, else greedy].
    #[arg(long, value_enum)]
    decoding: Option<Decoding>,
    /// Sub-tokens of the surrounding document fed on each side of a sentence; fewer is faster
    /// and, for a model trained with context, less accurate [default: what the model was trained
    /// with].
    #[arg(long, value_name = "N")]
    context_tokens: Option<usize>,
    /// Sub-tokens of consecutive sentences tagged as one sequence, sharing one context; 0 tags
    /// every sentence alone [default: what the model was trained with, else 0].
    #[arg(long, value_name = "N")]
    pack_tokens: Option<usize>,
}

impl ModelArgs {
    /// Sets libtorch's threads and resolves the model directory and device.
    fn ner_config(&self) -> anyhow::Result<NerConfig> {
        set_threads(self.threads);
        let device = check_device(self.device)?;
        Ok(NerConfig {
            device,
            batch_tokens: self.batch_tokens.unwrap_or_else(|| default_batch_tokens(device)),
            precision: self.precision,
            context_tokens: self.context_tokens,
            pack_tokens: self.pack_tokens,
            decoding: self.decoding,
            ..NerConfig::new(resolve_model_dir(self.model.as_deref())?)
        })
    }
}

/// A count beyond this is a typo, not a machine: 10,000 threads took minutes to start, and a
/// count past `i32::MAX` overflowed inside libtorch.
const MAX_THREADS: i64 = 1024;

fn threads_arg() -> impl clap::builder::TypedValueParser<Value = usize> {
    clap::value_parser!(i64).range(1..=MAX_THREADS).map(|threads| threads as usize)
}

fn corpus_arg(spec: &str) -> Result<CorpusSpec, String> {
    Ok(CorpusSpec::parse(spec))
}

fn shard_count_arg(count: &str) -> Result<u64, String> {
    match count.parse::<u64>() {
        Ok(0) => Err("there must be at least 1 shard".to_string()),
        Ok(count) => Ok(count),
        Err(err) => Err(err.to_string()),
    }
}

fn device_arg(spec: &str) -> Result<Device, String> {
    parse_device(spec).map_err(|err| err.to_string())
}

fn cue_class_arg(class: &str) -> Result<String, String> {
    let class = class.to_string();
    ClaimRules::default().with_cue_classes(std::slice::from_ref(&class)).map(|_| class).map_err(|err| err.to_string())
}

#[derive(Clone, Copy, ValueEnum)]
enum InputKind {
    Auto,
    Text,
    Html,
    Jsonl,
}

#[derive(Clone, Copy, ValueEnum)]
enum ProgressKind {
    Auto,
    Bar,
    Plain,
    None,
}

/// Exit status of a run that finished with some documents unreadable.
const EXIT_SOME_FAILED: u8 = 3;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Tag(args) => tag(args),
        Command::Train(args) => train(args).map(|()| ExitCode::SUCCESS),
        Command::Eval(args) => eval(args).map(|()| ExitCode::SUCCESS),
        Command::EvalClaims(args) => eval_claims(args).map(|()| ExitCode::SUCCESS),
        Command::EvalExtraction(args) => eval_extraction(args).map(|()| ExitCode::SUCCESS),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            // Each cause once: a message that already quotes its cause ("cannot write: Broken
            // pipe") is not followed by it again.
            let mut message = String::new();
            for cause in err.chain().map(ToString::to_string) {
                if !message.contains(&cause) {
                    message += if message.is_empty() { "" } else { ": " };
                    message += &cause;
                }
            }
            eprintln!("claimtag: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Sets libtorch's thread count. More threads than cores only contend for them (1,024 threads
/// on 2 cores took 43 s to tag one sentence, against 1.8 s with 2), so the count is capped at
/// the cores this process may use, with a warning.
fn set_threads(threads: Option<usize>) {
    let Some(requested) = threads else { return };
    let cores = std::thread::available_parallelism().map_or(requested, |cores| cores.get());
    if requested > cores {
        eprintln!("claimtag: --threads {requested} is more than the {cores} cores available; using {cores}");
    }
    // `threads_arg` bounds the count, so it fits.
    tch::set_num_threads(i32::try_from(requested.min(cores)).unwrap_or(1));
}

fn train(args: TrainArgs) -> anyhow::Result<()> {
    set_threads(args.threads);
    let config = TrainConfig {
        train: args.train,
        dev: args.dev,
        roles_train: args.roles_train,
        roles_dev: args.roles_dev,
        role_crf: args.role_crf,
        vary_context: args.vary_context,
        epochs: args.epochs,
        lr: args.lr,
        batch_tokens: args.batch_tokens,
        seed: args.seed,
        casing: !args.no_casing,
        context_tokens: args.context_tokens,
        pack_tokens: args.pack_tokens,
        resume: args.resume,
        limit: args.limit,
        device: check_device(args.device)?,
        ..TrainConfig::new(args.base, PathBuf::new(), args.out)
    };
    let data = read_training_data(&config)?;
    let trainer = Trainer::new(config, &data)?;
    let mut progress = StderrProgress::default();
    progress.announce(&data, &trainer);
    trainer.run(&data, &mut progress)?;
    Ok(())
}

fn eval(args: EvalArgs) -> anyhow::Result<()> {
    let config = args.model.ner_config()?;
    let sentences = read_labeled(&args.data)?;
    let model = NerModel::load(&config).context("cannot load the NER model")?;
    let records = if args.per_sentence { Records::Sentences } else { Records::Documents };
    let scores = evaluate(&model, &sentences, records)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&scores)?);
        return Ok(());
    }
    print!("{}", EvalTable(&scores));
    Ok(())
}

fn eval_extraction(args: EvalExtractionArgs) -> anyhow::Result<()> {
    let scores = claimtag::input::evaluate_extraction(&args.dir)?;
    print!("{}", scores.report(args.worst));
    Ok(())
}

fn eval_claims(args: EvalClaimsArgs) -> anyhow::Result<()> {
    let articles = read_polnear(&args.polnear)?;
    anyhow::ensure!(!articles.is_empty(), "{}: no articles with attributions", args.polnear.display());
    let tagger;
    let entities = match &args.tagged {
        Some(path) => EntitySource::Tagged(read_tagged(path)?),
        None => {
            tagger = Tagger::load(&args.model.ner_config()?).context("cannot load the NER model")?;
            EntitySource::Model(&tagger)
        }
    };
    let mut predictions = match &args.predictions {
        Some(path) => {
            let file = std::fs::File::create(path).with_context(|| format!("{}: cannot create", path.display()))?;
            Some(JsonlSink::new(std::io::BufWriter::new(file)))
        }
        None => None,
    };
    let rules = ClaimRules::default().with_grouping(args.grouping).with_cue_classes(&args.cue_classes)?;
    let evaluation = evaluate_claims(&articles, &entities, &rules, |doc| match &mut predictions {
        Some(sink) => sink.write(doc),
        None => Ok(()),
    })?;
    if let Some(sink) = &mut predictions {
        sink.finish()?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&evaluation)?);
    } else {
        println!("{evaluation}");
    }
    if args.rules {
        print!("\n{}", evaluation.rules);
    }
    Ok(())
}

fn tag(args: TagArgs) -> anyhow::Result<ExitCode> {
    let inputs = expand_inputs(&args.inputs)?;
    for skipped in &inputs.skipped {
        eprintln!("claimtag: skipped {skipped}");
    }
    let sources = inputs.sources;
    let format = args.format.unwrap_or(Format::default_for(args.output.is_some(), args.pipe));
    if args.pipe {
        // One JSONL line out per line in: other formats write several lines, or none for a bad line.
        let problem = match (args.input_format, format) {
            (InputKind::Text | InputKind::Html, _) => Some("reads JSONL only: drop --input-format or give jsonl"),
            (_, Format::Jsonl) => None,
            _ => Some("writes one JSONL line per input line: drop --format or give jsonl"),
        };
        if let Some(problem) = problem {
            let (mut cli, kind, message) =
                (Cli::command(), clap::error::ErrorKind::ArgumentConflict, format!("--pipe {problem}"));
            cli.build(); // So that the usage shown is `claimtag tag`'s.
            if let Some(tag) = cli.find_subcommand_mut("tag") {
                tag.error(kind, message).exit();
            }
            cli.error(kind, message).exit();
        }
    }
    format.check_output(args.output.as_deref())?;
    // The output is claimed (locked, checked, a torn line cut) before anything else is done.
    let (mut out, done) = match &args.output {
        Some(path) => prepare_output(path, format.output_kind(), args.resume)?,
        None => (OutputStream::stdout()?, Default::default()),
    };
    let output_name = args.output.as_deref().map_or_else(|| "stdout".to_string(), |path| path.display().to_string());
    let selection =
        Selection { shard: Shard::resolve(args.shard_index, args.num_shards, |name| std::env::var(name).ok())?, done };
    let reader_config = ReaderConfig {
        format: match args.input_format {
            InputKind::Auto if args.pipe => InputFormat::Jsonl,
            InputKind::Auto => InputFormat::Auto,
            InputKind::Text => InputFormat::Text,
            InputKind::Html => InputFormat::Html,
            InputKind::Jsonl => InputFormat::Jsonl,
        },
        max_doc_bytes: args.max_doc_bytes,
        keep_blank_lines: args.pipe,
    };
    let config = args.model.ner_config()?;
    let rules = ClaimRules::default().with_grouping(args.grouping).with_cue_classes(&args.cue_classes)?;
    let tagger =
        Tagger::load(&config).context("cannot load the NER model")?.with_claims((!args.no_claims).then_some(rules));

    let mut sink = format.sink(&mut out, args.output.as_deref(), args.sentences)?;
    let total_bytes = sources.iter().map(InputSource::size).sum::<Option<u64>>();
    let reader = Reader::new(sources, reader_config);
    let progress_mode = match args.progress {
        ProgressKind::Auto if std::io::stderr().is_terminal() => ProgressMode::Bar,
        ProgressKind::Auto | ProgressKind::Plain => ProgressMode::Plain,
        ProgressKind::Bar => ProgressMode::Bar,
        ProgressKind::None => ProgressMode::Silent,
    };
    let mut progress = Progress::new(progress_mode, total_bytes, reader.bytes_read());
    let run = batch::run(&tagger, reader, selection, sink.as_mut(), &mut progress);
    drop(sink);
    // Also after a failed run: what was written before the failure is closed properly.
    let finished = out.finish();
    let totals = run.map_err(|err| match err {
        BatchError::Output(error) => anyhow::anyhow!("{output_name}: cannot write: {error}"),
        other => other.into(),
    })?;
    finished.with_context(|| format!("{output_name}: cannot finish writing"))?;
    Ok(if totals.all_tagged() { ExitCode::SUCCESS } else { ExitCode::from(EXIT_SOME_FAILED) })
}
