use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};

use claimtag::input::{InputFormat, Source};
use claimtag::ner::{parse_device, resolve_model_dir, NerConfig};
use claimtag::output::{DocumentSink, JsonSink, JsonlSink, PrettySink};
use claimtag::pipeline::Tagger;

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
}

#[derive(clap::Args)]
struct TagArgs {
    /// Input files; none or `-` reads standard input.
    files: Vec<PathBuf>,
    /// Model directory in Hugging Face layout [default: $CLAIMTAG_MODEL, else the shipped model].
    #[arg(long)]
    model: Option<PathBuf>,
    /// json: one pretty object per document (an array for several); jsonl: one object a line;
    /// pretty: the text with entities highlighted.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
    /// text: each input is one document; jsonl: one {"id", "text", ...} object a line.
    #[arg(long, value_enum, default_value_t = InputKind::Text)]
    input_format: InputKind,
    /// auto, cpu, cuda or cuda:N.
    #[arg(long, default_value = "auto")]
    device: String,
    /// libtorch intra-op threads [default: one per core].
    #[arg(long)]
    threads: Option<usize>,
    /// Padded sub-tokens per model batch.
    #[arg(long, default_value_t = 8192)]
    batch_tokens: usize,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Json,
    Jsonl,
    Pretty,
}

#[derive(Clone, Copy, ValueEnum)]
enum InputKind {
    Text,
    Jsonl,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Tag(args) => tag(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("claimtag: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn tag(args: TagArgs) -> anyhow::Result<()> {
    if let Some(threads) = args.threads {
        anyhow::ensure!(threads > 0, "--threads must be at least 1");
        tch::set_num_threads(threads as i32);
    }
    let model_dir = resolve_model_dir(args.model.as_deref())?;
    let config =
        NerConfig { device: parse_device(&args.device)?, batch_tokens: args.batch_tokens, ..NerConfig::new(model_dir) };
    let tagger = Tagger::load(&config).context("cannot load the NER model")?;
    let sources: Vec<Source> = if args.files.is_empty() {
        vec![Source::Stdin]
    } else {
        args.files.iter().map(|file| Source::from_arg(file)).collect()
    };
    let input_format = match args.input_format {
        InputKind::Text => InputFormat::Text,
        InputKind::Jsonl => InputFormat::Jsonl,
    };
    let stdout = std::io::stdout().lock();
    let mut sink: Box<dyn DocumentSink> = match args.format {
        Format::Json => Box::new(JsonSink::new(stdout)),
        Format::Jsonl => Box::new(JsonlSink::new(stdout)),
        Format::Pretty => {
            let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            Box::new(PrettySink::new(stdout, color))
        }
    };
    tagger.run(&sources, input_format, sink.as_mut())?;
    Ok(())
}
