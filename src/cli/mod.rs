//! The command-line entry points: `serve`, `import`, `generate`, `migrate`.

mod import;
mod serve;
mod token;

use crate::config::{Cli, Command, GenerateArgs};
use crate::generate::{GenerateOptions, Scenario};
use tracing_subscriber::EnvFilter;

/// Logs to stderr; `RUST_LOG` overrides the default `info` level, and
/// `HEXWATCH_LOG_FORMAT=json` writes one JSON object per event (with the
/// request span's id, method and path) for log collectors.
pub fn init_tracing() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let fmt = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if std::env::var("HEXWATCH_LOG_FORMAT").is_ok_and(|f| f == "json") {
        fmt.json().try_init()
    } else {
        fmt.try_init()
    };
}

/// Runs one command to completion.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => serve::serve(args).await,
        Command::Import(args) => import::import(args).await,
        Command::Generate(args) => generate(args).await,
        Command::Token(args) => token::token(args).await,
        Command::Migrate(args) => {
            let store = crate::store::Store::open_with(&args.db, &args.store_options()).await?;
            let (uuid, seq) = store.version().await?;
            tracing::info!(db = %args.db, %uuid, seq, "database is migrated");
            store.close().await;
            Ok(())
        }
    }
}

/// The generator options for CLI arguments.
pub fn generate_options(args: &GenerateArgs) -> anyhow::Result<GenerateOptions> {
    let scenario: Scenario = args.scenario.parse()?;
    let end = args
        .end
        .and_hms_opt(23, 59, 59)
        .ok_or_else(|| anyhow::anyhow!("bad --end"))?
        .and_utc();
    Ok(GenerateOptions {
        appeals: args.appeals,
        seed: args.seed,
        scenario,
        years: args.years,
        end,
    })
}

async fn generate(args: GenerateArgs) -> anyhow::Result<()> {
    let opts = generate_options(&args)?;
    let bar = progress_bar(args.appeals as u64, "generating");
    let out = args.out.clone();
    let truth = tokio::task::spawn_blocking({
        let bar = bar.clone();
        move || crate::generate::write_file(&opts, &out, |n| bar.set_position(n as u64))
    })
    .await??;
    bar.finish_and_clear();
    let truth_path = args
        .truth
        .clone()
        .unwrap_or_else(|| crate::generate::default_truth_path(&args.out));
    truth.write(&truth_path)?;
    if opts_scenario_is_city(&args) {
        let path = args.out.with_file_name("districts.geojson");
        std::fs::write(&path, crate::districts::demo::kazan_geojson())?;
        tracing::info!(districts = %path.display(), "Kazan's districts written");
    }
    tracing::info!(out = %args.out.display(), truth = %truth_path.display(), appeals = args.appeals, "generated");
    Ok(())
}

fn opts_scenario_is_city(args: &GenerateArgs) -> bool {
    args.scenario
        .parse::<Scenario>()
        .is_ok_and(|s| s == Scenario::City)
}

/// A progress bar with rate and ETA on a terminal; hidden otherwise.
pub fn progress_bar(len: u64, what: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{msg:>10} [{bar:40}] {human_pos}/{human_len} {per_sec} ETA {eta}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.to_owned());
    bar
}
