//! The field log: which row fields the script evaluating on a thread read,
//! for the context of a `regelfel` message.

use std::cell::RefCell;
use std::sync::Arc;

use crate::model::{Location, Record, Value};

/// A row field a script read, for the context of a `regelfel` message.
#[derive(Clone)]
pub struct FieldRead {
    record: Arc<dyn ReadRecord>,
    idx: usize,
}

/// A record seen by the field log, whatever its type.
trait ReadRecord: Send + Sync {
    fn sheet(&self) -> &'static str;
    fn location(&self) -> &Location;
    fn field_name(&self, idx: usize) -> &'static str;
    fn field_location(&self, idx: usize) -> &Location;
    fn value(&self, idx: usize) -> Option<Value>;
}

impl<T: Record> ReadRecord for T {
    fn sheet(&self) -> &'static str {
        T::SCHEMA.sheet
    }
    fn location(&self) -> &Location {
        self.row()
    }
    fn field_name(&self, idx: usize) -> &'static str {
        T::SCHEMA.columns.get(idx).map_or("?", |c| c.name)
    }
    fn field_location(&self, idx: usize) -> &Location {
        Record::field_location(self, idx)
    }
    fn value(&self, idx: usize) -> Option<Value> {
        self.field(idx).0
    }
}

impl FieldRead {
    /// The row the field belongs to.
    pub fn row(&self) -> &Location {
        self.record.location()
    }
    /// `Avsteg rad 4`: the sheet and the row of the field's cell (on a
    /// key–value sheet, the row of its key).
    pub fn row_label(&self) -> String {
        let row = self.record.field_location(self.idx).row;
        format!("{} rad {}", self.record.sheet(), row + 1)
    }
    /// The ASCII field name.
    pub fn name(&self) -> &'static str {
        self.record.field_name(self.idx)
    }
    /// The value as the script saw it: `"text"`, `true`, `2026-01-20`, `3`, `()`.
    pub fn script_value(&self) -> String {
        match self.record.value(self.idx) {
            None => "()".into(),
            Some(Value::Text(s)) => {
                let t: String = s.chars().take(60).collect();
                if t.len() < s.len() {
                    format!("{t:?}… ({} tecken)", s.chars().count())
                } else {
                    format!("{t:?}")
                }
            }
            Some(Value::Bool(b)) => b.to_string(),
            Some(Value::Date(d)) => crate::model::iso_date(d),
            Some(Value::Int(i)) => i.to_string(),
            Some(Value::Money(m)) => format!("{:?}", m.kronor()),
            Some(Value::Level(l)) => l.level().to_string(),
            Some(Value::Percent(p)) => format!("{p:?}"),
        }
    }
}

/// At most this many distinct fields are remembered per evaluation.
const MAX_FIELDS_LOGGED: usize = 24;

/// The fields read by the script evaluating on a thread, while logging.
#[derive(Default)]
struct FieldLog {
    on: bool,
    read: Vec<FieldRead>,
}

thread_local! {
    /// The fields read by the script evaluating on this thread.
    static FIELDS_READ: RefCell<FieldLog> = RefCell::new(FieldLog::default());
}

/// Start logging the row fields scripts read on this thread (clears the log).
pub fn field_log_start() {
    FIELDS_READ.with(|f| {
        let mut f = f.borrow_mut();
        f.read.clear();
        f.on = true;
    });
}

/// The distinct fields read since [`field_log_start`], in the order first read.
pub fn field_log_take() -> Vec<FieldRead> {
    FIELDS_READ.with(|f| f.borrow().read.clone())
}

/// Stop logging (the log keeps its buffer for the next evaluation).
pub fn field_log_stop() {
    FIELDS_READ.with(|f| {
        let mut f = f.borrow_mut();
        f.read.clear();
        f.on = false;
    });
}

pub(super) fn note_read<T: Record>(r: &Arc<T>, idx: usize) {
    FIELDS_READ.with(|f| {
        let f = &mut *f.borrow_mut();
        // Most evaluations read few fields; a full log takes no more.
        if f.on && f.read.len() < MAX_FIELDS_LOGGED {
            let v = &mut f.read;
            let ptr = Arc::as_ptr(r) as *const ();
            let seen = v
                .iter()
                .any(|x| x.idx == idx && Arc::as_ptr(&x.record) as *const () == ptr);
            if !seen {
                v.push(FieldRead {
                    record: r.clone() as Arc<dyn ReadRecord>,
                    idx,
                });
            }
        }
    });
}
