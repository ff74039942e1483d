//! `obmen warehouse init`.

use anyhow::anyhow;

use super::out;
use crate::cli::WarehouseCommand;
use crate::exit::CliError;
use crate::secret::mask_connection_string;
use crate::warehouse::{Dialect, Warehouse};

pub(super) fn run(cmd: WarehouseCommand) -> Result<(), CliError> {
    match cmd {
        WarehouseCommand::Init { connection, dialect, demo_data, base_currency } => {
            let dialect = match dialect.or_else(|| Dialect::guess(&connection)) {
                Some(d) => d,
                None => return Err(CliError::usage(anyhow!("{}", crate::i18n::Msg::InitNoDialect.get(crate::i18n::current())))),
            };
            let mut wh = Warehouse::connect(&connection, dialect).map_err(CliError::failed)?;
            let report = wh.init_with(demo_data, base_currency).map_err(CliError::failed)?;
            let made = crate::i18n::Msg::InitMade.with(
                crate::i18n::current(),
                &[
                    ("version", &crate::warehouse::schema::SCHEMA_VERSION),
                    ("dialect", &dialect),
                    ("connection", &mask_connection_string(&connection)),
                    ("tables", &report.tables),
                    ("goods", &report.goods),
                    ("partners", &report.partners),
                    ("objects", &report.objects),
                    ("stock", &report.store_rows),
                ],
            );
            out(&format!("{made}\n"))
        }
    }
}
