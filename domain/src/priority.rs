//! Background work at a lower CPU priority, so it runs in the time calls leave over.
//!
//! On a busy host the gateway's usage writes (sorting a second's counts, and on SQLite
//! the writer connection's own thread doing the B-tree work) are bursts of a few
//! hundred milliseconds every second. At the same priority as the
//! threads answering calls they take a core from them for whole scheduler slices, and
//! calls queue behind: measured, that burst was where almost every slow call of a
//! half-loaded gateway fell. At a lower priority the kernel hands the core back to a
//! woken request thread at once. Under full load the writes get a smaller share and
//! fall behind; the counts wait in memory (nothing is lost) and are written in fewer,
//! larger flushes, since one key's calls in those seconds share a row.
//!
//! Linux only (per-thread `nice`); elsewhere these do nothing.

/// The `nice` value background threads get (0 is the default, 19 the lowest). Not
/// the lowest: the SQLite writer also serves the portal's own writes, which must
/// still get a share of a saturated host.
pub const BACKGROUND_NICE: i32 = 10;

/// Lowers the calling thread's priority to [`BACKGROUND_NICE`].
pub fn lower_this_thread() {
    #[cfg(target_os = "linux")]
    lower(rustix::thread::gettid());
}

/// Lowers the priority of this process's threads whose name starts with `prefix`
/// (names are cut to 15 bytes by the kernel); returns how many it found. Threads
/// already lowered stay as they are.
pub fn lower_threads_named(prefix: &str) -> usize {
    #[cfg(target_os = "linux")]
    {
        let Ok(tasks) = std::fs::read_dir("/proc/self/task") else { return 0 };
        let mut found = 0;
        for task in tasks.flatten() {
            let named = std::fs::read_to_string(task.path().join("comm"))
                .is_ok_and(|comm| comm.trim_end().starts_with(prefix));
            let tid = task.file_name().to_str().and_then(|t| t.parse::<i32>().ok());
            if let (true, Some(tid)) = (named, tid.and_then(rustix::process::Pid::from_raw)) {
                lower(tid);
                found += 1;
            }
        }
        found
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = prefix;
        0
    }
}

/// Sets a thread's `nice` to [`BACKGROUND_NICE`] unless it is lower already (raising a
/// priority needs a privilege, and a thread set lower by an operator stays there).
#[cfg(target_os = "linux")]
fn lower(tid: rustix::process::Pid) {
    use rustix::process::{getpriority_process, setpriority_process};
    match getpriority_process(Some(tid)) {
        Ok(now) if now >= BACKGROUND_NICE => {}
        _ => {
            if let Err(e) = setpriority_process(Some(tid), BACKGROUND_NICE) {
                tracing::debug!(error = %e, "cannot lower a background thread's priority");
            }
        }
    }
}

#[cfg(test)]
#[cfg(target_os = "linux")]
mod tests {
    use super::*;
    use rustix::process::getpriority_process;
    use std::sync::mpsc;

    fn own_nice() -> i32 {
        getpriority_process(Some(rustix::thread::gettid())).unwrap()
    }

    #[test]
    fn a_thread_lowers_itself_and_no_other() {
        let before = own_nice();
        let lowered = std::thread::spawn(|| {
            lower_this_thread();
            own_nice()
        })
        .join()
        .unwrap();
        assert_eq!(lowered, BACKGROUND_NICE.max(before));
        assert_eq!(own_nice(), before, "the calling thread is untouched");
    }

    #[test]
    fn threads_are_found_by_name() {
        let (tid_tx, tid_rx) = mpsc::channel();
        let (done_tx, done_rx) = mpsc::channel::<()>();
        let named = std::thread::Builder::new()
            .name("portico-test-bg-7".into())
            .spawn(move || {
                tid_tx.send(rustix::thread::gettid()).unwrap();
                done_rx.recv().ok();
            })
            .unwrap();
        let tid = tid_rx.recv().unwrap();
        let before = getpriority_process(Some(tid)).unwrap();
        assert_eq!(lower_threads_named("portico-test-bg"), 1);
        assert_eq!(getpriority_process(Some(tid)).unwrap(), BACKGROUND_NICE.max(before));
        assert_eq!(lower_threads_named("portico-no-such-thread"), 0);
        done_tx.send(()).unwrap();
        named.join().unwrap();
    }
}
