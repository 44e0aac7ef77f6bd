//! The process exit statuses of every command, in one place (a leaf: every
//! layer that decides how a run or command ended names its status here).

/// Completed: every file read and every evaluation made.
pub const OK: i32 = 0;
/// `rules test`: some test case failed.
pub const TESTS_FAILED: i32 = 1;
/// Nothing produced: bad command line, configuration, rules or schedule.
pub const UNUSABLE: i32 = 2;
/// Completed, but some files were `fel` or some evaluations `regelfel`.
pub const PARTIAL: i32 = 3;
/// Its stdout was closed by the reader (`uppsikt check | head -1`) before
/// it was done: the status a shell shows for a command ended by SIGPIPE
/// (128 + 13); nothing is said.
pub const BROKEN_PIPE: i32 = 141;
