//! A bounded number of tasks in flight, results in the order of the
//! inputs: how the job drives its operations concurrently and still
//! reports them in the spec's order.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Runs `work` on each item, at most `jobs` at a time (at least one), and
/// gives the results in the items' order. Items are taken in order, so
/// with `jobs == 1` they run one after the other, as a plain loop would.
/// A task that panics gives `Err` with the panic's message, in its place.
pub async fn run_in_order<T, R, F, Fut>(
    jobs: usize,
    items: Vec<T>,
    work: F,
) -> Vec<Result<R, String>>
where
    T: Send + 'static,
    R: Send + 'static,
    F: Fn(T) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = R> + Send + 'static,
{
    let count = items.len();
    let queue: Arc<Mutex<std::vec::IntoIter<T>>> = Arc::new(Mutex::new(items.into_iter()));
    let next = Arc::new(AtomicUsize::new(0));
    let work = Arc::new(work);
    let workers: Vec<_> = (0..jobs.clamp(1, count.max(1)))
        .map(|_| {
            let (queue, next, work) = (queue.clone(), next.clone(), work.clone());
            tokio::spawn(async move {
                let mut done = Vec::new();
                loop {
                    // The index and the item are taken together, so they
                    // match.
                    let taken = {
                        let mut queue = queue.lock().unwrap_or_else(|e| e.into_inner());
                        queue
                            .next()
                            .map(|item| (next.fetch_add(1, Ordering::Relaxed), item))
                    };
                    let Some((index, item)) = taken else {
                        return done;
                    };
                    // Its own task, so that a panic is this item's alone.
                    let result = tokio::spawn(work(item))
                        .await
                        .map_err(|e| panic_message(e, index));
                    done.push((index, result));
                }
            })
        })
        .collect();
    let mut results: Vec<Option<Result<R, String>>> = (0..count).map(|_| None).collect();
    for worker in workers {
        if let Ok(done) = worker.await {
            for (index, result) in done {
                results[index] = Some(result);
            }
        }
    }
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err("the task never ran".into())))
        .collect()
}

fn panic_message(error: tokio::task::JoinError, index: usize) -> String {
    let why = match error.try_into_panic() {
        Ok(payload) => payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".into()),
        Err(e) => e.to_string(),
    };
    format!("task {} failed: {why}", index + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn results_keep_the_input_order_and_at_most_jobs_run_at_once() {
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let (r, m) = (running.clone(), most.clone());
        let results = run_in_order(3, (0..12u64).collect(), move |i| {
            let (running, most) = (r.clone(), m.clone());
            async move {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                // Later items finish first.
                tokio::time::sleep(Duration::from_millis(30 - 2 * i)).await;
                running.fetch_sub(1, Ordering::SeqCst);
                if i == 5 {
                    panic!("item five");
                }
                i * 10
            }
        })
        .await;
        assert_eq!(most.load(Ordering::SeqCst), 3);
        for (i, result) in results.iter().enumerate() {
            match result {
                Ok(v) => assert_eq!(*v, i as u64 * 10),
                Err(e) => assert!(i == 5 && e.contains("item five"), "{i}: {e}"),
            }
        }
        assert!(results[5].is_err());
    }

    #[tokio::test]
    async fn one_job_runs_the_items_one_after_the_other_in_order() {
        let log = Arc::new(Mutex::new(Vec::new()));
        let l = log.clone();
        run_in_order(1, vec!["a", "b", "c"], move |item| {
            let log = l.clone();
            async move {
                log.lock().unwrap().push(format!("start {item}"));
                tokio::task::yield_now().await;
                log.lock().unwrap().push(format!("end {item}"));
            }
        })
        .await;
        assert_eq!(
            *log.lock().unwrap(),
            ["start a", "end a", "start b", "end b", "start c", "end c"]
        );
    }
}
