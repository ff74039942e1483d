//! The acknowledgement queue: orders imported (in this run, or in an earlier one that could not
//! tell the shop) are told to the shop after their page commits, never before, several at a
//! time and within a budget, and noted in the import log once the shop took them.

use super::order::document_number;
use super::pages::ImportReport;
use super::session::Ctx;
use super::shop::{Ack, Shop};
use crate::i18n::Msg;
use crate::warehouse::OperType;

/// The most time one run spends telling the shop about imported orders, beyond the time the
/// shop's own pace needs for them ([`Shop::ack_time`]).
pub const ACK_BUDGET: std::time::Duration = std::time::Duration::from_secs(60);

impl<S: Shop> Ctx<'_, S> {
    /// Adds an imported order to those the shop is told about at the end of the run (once).
    pub(super) fn queue_ack(&self, order_id: &str, number: &str, oper_type: OperType, acct: i32) {
        let mut queue = self.cache.to_acknowledge.borrow_mut();
        if !queue.iter().any(|(id, ..)| id == order_id) {
            queue.push((order_id.to_owned(), number.to_owned(), oper_type, acct));
        }
    }

    /// Tells the shop about the orders imported in this run, several at a time, then notes in the
    /// import log which ones it took. One that fails stays unacknowledged there and is sent again
    /// next run; so does every one if the process dies first. Acknowledgements have a budget: a
    /// few seconds each, and [`ACK_BUDGET`] for the whole run (more where the shop paces its
    /// requests: the time its pace needs for them), so that a shop refusing them cannot hold the
    /// run; past it the rest wait for the next run.
    pub(super) fn acknowledge_queued(&mut self, report: &mut ImportReport) {
        const AT_ONCE: usize = 8;
        let queued = std::mem::take(&mut *self.cache.to_acknowledge.borrow_mut());
        if queued.is_empty() {
            return;
        }
        // The run's budget: ACK_BUDGET once, and the time the shop's pace needs for each order
        // queued, whichever page queued it.
        let (started, deadline) = {
            let mut cached = self.cache.ack_deadline.borrow_mut();
            let (started, deadline) = cached.get_or_insert_with(|| {
                let now = tokio::time::Instant::now();
                (now, now + ACK_BUDGET)
            });
            *deadline += self.shop.ack_time(queued.len());
            (*started, *deadline)
        };
        let secs = deadline.saturating_duration_since(started).as_secs();
        let shop = self.shop.clone();
        let lang = crate::i18n::current();
        for chunk in queued.chunks(AT_ONCE * 64) {
            if tokio::time::Instant::now() >= deadline {
                for (_, number, _, _) in chunk {
                    report.ack_failures.push(format!("{number}: {}", Msg::AckBudgetSpent.with(crate::i18n::current(), &[("secs", &secs)])));
                }
                continue;
            }
            let cancel = self.cancel.clone();
            // A batch a request where the shop takes them, several requests at once.
            let per_request = shop.ack_batch().max(1);
            let results: Vec<Result<(), String>> = self.rt.block_on(async {
                use tracing::Instrument;
                let semaphore = std::sync::Arc::new(tokio::sync::Semaphore::new(AT_ONCE));
                let mut tasks = Vec::new();
                for batch in chunk.chunks(per_request) {
                    let acks: Vec<Ack> = batch
                        .iter()
                        .map(|(id, _, oper, acct)| Ack { order_id: id.clone(), document_number: document_number(*acct), oper_type: *oper })
                        .collect();
                    let (shop, semaphore) = (shop.clone(), semaphore.clone());
                    let ids: Vec<String> = batch.iter().map(|(id, ..)| id.clone()).collect();
                    let task = tokio::spawn(
                        async move {
                            let _permit = semaphore.acquire_owned().await;
                            shop.acknowledge_many(acks).await.into_iter().map(|r| r.map_err(|e| e.to_string())).collect::<Vec<_>>()
                        }
                        .instrument(tracing::Span::current()),
                    );
                    tasks.push((task, ids));
                }
                let mut out = Vec::new();
                for (mut t, batch_ids) in tasks {
                    let n = batch_ids.len();
                    // A stopped run leaves the rest unacknowledged: the import log sends them next run.
                    let every = |e: String| (0..n).map(|_| Err(e.clone())).collect::<Vec<_>>();
                    let results = tokio::select! {
                        biased;
                        () = cancel.cancelled() => {
                            t.abort();
                            every(Msg::AckStopped.get(lang).to_owned())
                        }
                        () = tokio::time::sleep_until(deadline) => {
                            t.abort();
                            every(Msg::AckBudgetSpent.with(lang, &[("secs", &secs)]))
                        }
                        r = &mut t => match r {
                            // An answer for each, in order: one the shop left out stays unacknowledged.
                            Ok(mut results) => {
                                results.truncate(n);
                                let answered = results.len();
                                results.extend(batch_ids[answered..].iter().map(|id| Err(Msg::AckNoAnswer.with(lang, &[("order", id)]))));
                                results
                            }
                            Err(e) => every(e.to_string()),
                        },
                    };
                    out.extend(results);
                }
                out
            });
            let mut taken = Vec::new();
            for ((id, number, _, _), result) in chunk.iter().zip(results) {
                match result {
                    Ok(()) => taken.push((id.as_str(), number.as_str())),
                    Err(e) => report.ack_failures.push(format!("{number}: {e}")),
                }
            }
            let ids: Vec<&str> = taken.iter().map(|(id, _)| *id).collect();
            match self.wh.mark_acknowledged_many(self.source(), &ids) {
                Ok(()) => {
                    report.acknowledged += taken.len() as u64;
                    // When the shop was told, for `obmen why`; the import log holds that it was.
                    if let Err(e) = self.rt.block_on(self.state.orders_told(&self.settings.name, &ids)) {
                        tracing::warn!(error = %e, "When the shop was told could not be noted in the state.");
                    }
                }
                Err(e) => {
                    for (_, number) in taken {
                        report.ack_failures.push(format!("{number}: {}", Msg::AckNotNoted.with(lang, &[("error", &e)])));
                    }
                }
            }
        }
    }
}
