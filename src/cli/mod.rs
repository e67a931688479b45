//! Command-line parsing and dispatch of the `idcheck` subcommands.
//!
//! A new subcommand is one variant of [`Command`] plus one module with its `Args` and `run`.
//! Exit status: 0 all good, 1 something checked was invalid, 2 usage or I/O error.

mod batch;
mod check;
mod copy;
mod history;
pub mod output;
pub mod providers;
mod team;
mod trail;

use clap::{Parser, Subcommand};
use idcheck::i18n::Lang;

/// Checks Chinese resident ID cards (居民身份证): numbers, regions and card details.
///
/// 核验中国居民身份证：号码、地区与证件信息。
#[derive(Debug, Parser)]
#[command(name = "idcheck", version, propagate_version = true)]
#[command(after_help = "Exit status: 0 all valid, 1 some number invalid, 2 usage or I/O error.\n\
退出码：0 全部有效，1 有无效号码，2 用法或读写错误。")]
pub struct Cli {
    /// Language of messages: zh or en (default from LC_ALL / LC_MESSAGES / LANG, else zh).
    /// 提示语言：zh 或 en。
    #[arg(long, global = true, value_name = "zh|en", value_parser = parse_lang)]
    pub lang: Option<Lang>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check ID numbers given as arguments, or one per line on stdin.
    /// 校验身份证号码（参数或标准输入每行一个）。
    Check(check::Args),
    /// Check a table or a folder of photos against a two-factor provider, resumably.
    /// 批量二要素核验（表格或照片文件夹），可断点续传。
    Batch(batch::Args),
    /// Show the audit trail of checks, newest first. 查看核验审计记录。
    History(history::Args),
    /// The team trail on PostgreSQL: set up, join, push, status, verify. 团队审计记录。
    #[command(subcommand)]
    Team(team::TeamCommand),
    /// A watermarked copy (身份证复印件) of a card as an A4 PDF. 生成带水印的身份证复印件。
    Copy(copy::Args),
    #[command(flatten)]
    Providers(providers::ProviderCommand),
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    Lang::parse(s).ok_or_else(|| format!("unknown language '{s}': use zh or en / 未知语言，请用 zh 或 en"))
}

/// Parses the command line, runs the subcommand and returns the exit status.
pub fn main() -> i32 {
    let cli = Cli::parse();
    let lang = cli.lang.unwrap_or_else(Lang::from_env);
    match cli.command {
        Command::Check(args) => check::run(args, lang),
        Command::Batch(args) => batch::run(args, lang),
        Command::History(args) => history::run(args, lang),
        Command::Team(cmd) => team::run(cmd, lang),
        Command::Copy(args) => copy::run(args, lang),
        Command::Providers(cmd) => providers::run(cmd, cli.lang),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
