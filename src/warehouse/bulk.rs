//! Inserting many rows at once through bound parameter arrays: one prepared statement, its
//! parameters bound column by column for up to a thousand rows, sent in one call. The driver
//! turns that into as few round trips as it can (MariaDB: one bulk command per batch), where
//! multi-row VALUES with one boxed parameter a value cost the driver several microseconds each.

use odbc_api::BindParamDesc;

use super::db::{timestamp, Result, Warehouse, WarehouseError};
use super::dialect::{ColType, Table};
use super::schema;

/// A column of a bulk insert.
#[derive(Debug, Clone, Copy)]
pub enum BulkCol {
    /// A whole number.
    Int,
    /// A number.
    Num,
    /// Text of at most this many characters.
    Text(usize),
    /// A date and time (to the millisecond).
    Time,
}

/// A value of a bulk insert row.
#[derive(Debug, Clone, Copy)]
pub enum BulkValue<'a> {
    /// A whole number.
    Int(i32),
    /// A number.
    Num(f64),
    /// Text.
    Text(&'a str),
    /// A date and time.
    Time(chrono::NaiveDateTime),
}

impl Warehouse {
    /// Inserts `rows` rows of these columns into a table, each column bound as the schema types
    /// it; `fill(i, row)` pushes row `i`'s values in column order. Text is checked against its
    /// column's limit, never cut.
    pub fn insert_rows<'v>(&self, table: Table, columns: &[&'static str], rows: usize, fill: impl FnMut(usize, &mut Vec<BulkValue<'v>>)) -> Result<()> {
        let typed: Vec<(&'static str, BulkCol)> = columns
            .iter()
            .map(|name| {
                let ty = schema::columns(table).iter().find(|c| c.name == *name).map(|c| c.ty);
                let col = match ty {
                    Some(ColType::Id | ColType::Int) => BulkCol::Int,
                    Some(ColType::Double) => BulkCol::Num,
                    Some(ColType::Text(n)) => BulkCol::Text(n as usize),
                    Some(ColType::Date | ColType::DateTime) => BulkCol::Time,
                    None => return Err(WarehouseError::Invalid(format!("{name} is not a column of {}", table.lower_name()))),
                };
                Ok((*name, col))
            })
            .collect::<Result<_>>()?;
        self.bulk_insert(table, &typed, rows, fill)
    }

    /// [`Warehouse::bulk_insert`] into a table by name (a copy of `like`'s shape, e.g. for
    /// benchmarks), with `like`'s text limits.
    pub fn bulk_insert_into<'v>(
        &self,
        name: &str,
        like: Table,
        columns: &[(&'static str, BulkCol)],
        rows: usize,
        fill: impl FnMut(usize, &mut Vec<BulkValue<'v>>),
    ) -> Result<()> {
        let d = self.dialect();
        let names: Vec<&str> = columns.iter().map(|(n, _)| *n).collect();
        let cols = names.iter().map(|c| d.quote(c)).collect::<Vec<_>>().join(", ");
        let marks = vec!["?"; names.len()].join(", ");
        self.bulk_insert_sql(&format!("INSERT INTO {} ({cols}) VALUES ({marks})", d.quote(name)), like, columns, rows, fill)
    }

    /// Inserts `rows` rows in batches through bound parameter arrays. `fill(i, row)` pushes row
    /// `i`'s values in column order. Text is checked against the column's limit, never cut.
    pub fn bulk_insert<'v>(
        &self,
        table: Table,
        columns: &[(&'static str, BulkCol)],
        rows: usize,
        fill: impl FnMut(usize, &mut Vec<BulkValue<'v>>),
    ) -> Result<()> {
        let names: Vec<&str> = columns.iter().map(|(n, _)| *n).collect();
        let sql = self.dialect().insert(table, &names);
        self.bulk_insert_sql(&sql, table, columns, rows, fill)
    }

    fn bulk_insert_sql<'v>(
        &self,
        sql: &str,
        table: Table,
        columns: &[(&'static str, BulkCol)],
        rows: usize,
        mut fill: impl FnMut(usize, &mut Vec<BulkValue<'v>>),
    ) -> Result<()> {
        self.ensure_writable()?;
        if rows == 0 {
            return Ok(());
        }
        const BATCH: usize = 1000;
        let d = self.dialect();
        let context = format!("bulk insert into {}", d.table(table));
        let descs: Vec<BindParamDesc> = columns
            .iter()
            .map(|(_, c)| match c {
                BulkCol::Int => BindParamDesc::i32(false),
                BulkCol::Num => BindParamDesc::f64(false),
                BulkCol::Text(n) => BindParamDesc::text(n * 4),
                BulkCol::Time => BindParamDesc::timestamp(false, 3),
            })
            .collect();
        let prepared = self.connection().prepare(sql).map_err(|e| self.odbc_error(&context, e))?;
        let mut inserter = prepared.into_column_inserter(BATCH.min(rows), descs).map_err(|e| self.odbc_error(&context, e))?;
        let mut values = Vec::with_capacity(columns.len());
        let mut start = 0;
        while start < rows {
            let n = BATCH.min(rows - start);
            inserter.set_num_rows(n);
            for r in 0..n {
                values.clear();
                fill(start + r, &mut values);
                assert_eq!(values.len(), columns.len(), "bulk_insert: a row has the wrong number of values");
                for (c, v) in values.iter().enumerate() {
                    let wrong = || WarehouseError::Invalid(format!("{}.{} was given a value of another type", d.table(table), columns[c].0));
                    let column = inserter.column_mut(c);
                    match *v {
                        BulkValue::Int(x) => *column.as_slice::<i32>().and_then(|s| s.get_mut(r)).ok_or_else(wrong)? = x,
                        BulkValue::Num(x) => *column.as_slice::<f64>().and_then(|s| s.get_mut(r)).ok_or_else(wrong)? = x,
                        BulkValue::Time(t) => *column.as_slice::<odbc_api::sys::Timestamp>().and_then(|s| s.get_mut(r)).ok_or_else(wrong)? = timestamp(t),
                        BulkValue::Text(s) => {
                            self.check_text(table, columns[c].0, s, || format!("a value of {}.{}", d.table(table), columns[c].0))?;
                            column.as_text().ok_or_else(wrong)?.set_cell(r, Some(s.as_bytes()));
                        }
                    }
                }
            }
            self.count_statement();
            inserter.execute().map_err(|e| self.odbc_error(&context, e))?;
            start += n;
        }
        Ok(())
    }
}
