use clap::Parser;

fn main() -> anyhow::Result<()> {
    let cli = hexwatch::config::Cli::parse();
    hexwatch::cli::init_tracing();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(hexwatch::cli::run(cli))
}
