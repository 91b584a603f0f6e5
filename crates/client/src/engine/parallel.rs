//! Work shared out among the machine's cores, results in the order of the items: a 10,000-host
//! batch's outputs are parsed into Rhai values, and stored in the case, on every core.

/// How many threads share `items` pieces of work: every core, but none for fewer than 64 items
/// (a thread's start costs more than that much work saves).
pub fn threads_for(items: usize) -> usize {
    const PER_THREAD: usize = 64;
    if items <= PER_THREAD {
        return 1;
    }
    cores().min(items.div_ceil(PER_THREAD))
}

/// The cores this process may use, asked once: `available_parallelism` reads the cgroup's CPU quota
/// from `/proc` and `/sys` on every call (10 system calls), and the case asked it for every answer
/// it journaled: 20,000 times in a 10,000-host `rtr::each`, 60,000 files opened and read, most of
/// the 2 s of system time the case added to that run (strace -c).
fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// `f` of every item, on `threads` threads (each a run of consecutive items), in the items' order.
/// A panic in `f` is raised again here.
pub fn map<T: Send, U: Send>(items: Vec<T>, threads: usize, f: impl Fn(T) -> U + Sync) -> Vec<U> {
    if threads <= 1 || items.len() < 2 {
        return items.into_iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let mut items = items.into_iter();
    let mut parts: Vec<Vec<T>> = Vec::new();
    loop {
        let part: Vec<T> = items.by_ref().take(chunk).collect();
        if part.is_empty() {
            break;
        }
        parts.push(part);
    }
    let f = &f;
    // The first part runs on the calling thread: memory this thread frees as it goes (the answer
    // the items came from) is its own heap's to reuse, where a new thread would fault in fresh pages.
    let first = parts.remove(0);
    std::thread::scope(|scope| {
        let running: Vec<_> = parts
            .into_iter()
            .map(|part| scope.spawn(move || part.into_iter().map(f).collect::<Vec<_>>()))
            .collect();
        let mut out: Vec<U> = first.into_iter().map(f).collect();
        for r in running {
            out.extend(r.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        }
        out
    })
}

/// Drops `value`, made of `items` pieces, on a thread of its own: freeing a large tree of small
/// allocations (a 10,000-host batch's device records, hundreds of thousands of them) is time the
/// caller need not wait for. Dropped here when it is too small to be worth a thread (as
/// [`threads_for`] counts), or when no thread can be started.
pub fn drop_aside<T: Send + 'static>(value: T, items: usize) {
    if threads_for(items) < 2 {
        return;
    }
    // On failure the closure, and so `value`, is dropped on this thread.
    let _ = std::thread::Builder::new()
        .name("drop".into())
        .spawn(move || drop(value));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_items_order_whatever_the_threads() {
        let items: Vec<u32> = (0..1000).collect();
        for threads in [1, 2, 3, 7] {
            let out = map(items.clone(), threads, |i| i * 2);
            assert_eq!(out, items.iter().map(|i| i * 2).collect::<Vec<_>>());
        }
        assert!(map(Vec::<u32>::new(), 2, |i| i).is_empty());
        assert_eq!(threads_for(10), 1);
    }
}
