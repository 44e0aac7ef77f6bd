//! The domain model: the register, what each organisation submitted, and the
//! typed records of every contract sheet, each value with its [`Location`].

mod date;
mod location;
pub mod name;
mod organisation;
mod period;
#[allow(missing_docs)] // documented with issue 22's new records
pub mod records;
pub mod schema;
mod submission;
mod value;

pub use date::iso_date;
pub use location::{a1, column_letters, Location, Source, A1};
pub use organisation::{valid_org_id, OrgTyp, Organisation};
pub use period::Period;
pub use schema::{Column, Kind, Layout, Record, SheetSchema};
pub use submission::*;
pub use value::{AsValueRef, Field, FromValue, IntoValue, Money, Sakerhetsniva, Value, ValueRef};
