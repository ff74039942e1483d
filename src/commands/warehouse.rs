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
                None => {
                    return Err(CliError::usage(anyhow!(
                        "cannot tell the database type from the connection string: pass --dialect access|mysql|mssql|sqlite"
                    )))
                }
            };
            let mut wh = Warehouse::connect(&connection, dialect).map_err(CliError::failed)?;
            let report = wh.init_with(demo_data, base_currency).map_err(CliError::failed)?;
            out(&format!(
                "Made a Warehouse Pro {} database ({}) at {}: {} tables, {} goods, {} partners, {} objects, {} stock rows.\n",
                crate::warehouse::schema::SCHEMA_VERSION,
                dialect,
                mask_connection_string(&connection),
                report.tables,
                report.goods,
                report.partners,
                report.objects,
                report.store_rows,
            ))
        }
    }
}
