//! Typed cell values and the field wrapper that carries provenance.

use chrono::NaiveDate;

use super::Location;

/// Säkerhetsnivå 1–4 (1 Grund = the city's grundsäkerhetsnivå, 2 Förhöjd,
/// 3 Hög, 4 Mycket hög).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Sakerhetsniva(u8);

impl Sakerhetsniva {
    /// The Swedish name of each level, 1 to 4.
    pub const LABELS: [&'static str; 4] = ["Grund", "Förhöjd", "Hög", "Mycket hög"];

    /// Level 1–4, or `None` outside that range.
    pub fn new(level: u8) -> Option<Self> {
        (1..=4).contains(&level).then_some(Self(level))
    }

    /// The level, 1–4.
    pub fn level(self) -> u8 {
        self.0
    }

    /// The level's Swedish name (`Grund` … `Mycket hög`).
    pub fn label(self) -> &'static str {
        Self::LABELS[usize::from(self.0 - 1)]
    }
}

/// An amount of money in öre (hundredths of a krona), exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money {
    /// The amount in öre.
    pub ore: i64,
}

impl Money {
    /// The amount in kronor.
    pub fn kronor(self) -> f64 {
        self.ore as f64 / 100.0
    }
}

/// A normalised value, as the ingester produces it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Text, trimmed.
    Text(String),
    /// Ja / Nej.
    Bool(bool),
    /// A date.
    Date(NaiveDate),
    /// A whole number.
    Int(i64),
    /// An amount of money.
    Money(Money),
    /// A säkerhetsnivå.
    Level(Sakerhetsniva),
    /// A percentage in 0–100.
    Percent(f64),
}

impl Value {
    /// The value as a Swedish reader would write it (for reports and messages).
    pub fn display(&self) -> String {
        self.as_ref().display()
    }

    /// The value, borrowed.
    pub fn as_ref(&self) -> ValueRef<'_> {
        match self {
            Value::Text(s) => ValueRef::Text(s),
            Value::Bool(b) => ValueRef::Bool(*b),
            Value::Date(d) => ValueRef::Date(*d),
            Value::Int(i) => ValueRef::Int(*i),
            Value::Money(m) => ValueRef::Money(*m),
            Value::Level(l) => ValueRef::Level(*l),
            Value::Percent(p) => ValueRef::Percent(*p),
        }
    }
}

/// A [`Value`] borrowed from a field, for readers that need not own it
/// (rule scripts read millions of fields per run).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueRef<'a> {
    /// Text.
    Text(&'a str),
    /// Ja / Nej.
    Bool(bool),
    /// A date.
    Date(NaiveDate),
    /// A whole number.
    Int(i64),
    /// An amount of money.
    Money(Money),
    /// A säkerhetsnivå.
    Level(Sakerhetsniva),
    /// A percentage in 0–100.
    Percent(f64),
}

impl ValueRef<'_> {
    /// The owned value.
    pub fn to_value(self) -> Value {
        match self {
            ValueRef::Text(s) => Value::Text(s.to_string()),
            ValueRef::Bool(b) => Value::Bool(b),
            ValueRef::Date(d) => Value::Date(d),
            ValueRef::Int(i) => Value::Int(i),
            ValueRef::Money(m) => Value::Money(m),
            ValueRef::Level(l) => Value::Level(l),
            ValueRef::Percent(p) => Value::Percent(p),
        }
    }

    /// The value as a Swedish reader would write it (for reports and messages).
    pub fn display(self) -> String {
        match self {
            ValueRef::Text(s) => s.to_string(),
            ValueRef::Bool(true) => "Ja".into(),
            ValueRef::Bool(false) => "Nej".into(),
            ValueRef::Date(d) => crate::model::iso_date(d),
            ValueRef::Int(i) => i.to_string(),
            ValueRef::Money(m) => format!("{:.2} kr", m.kronor()).replace('.', ","),
            ValueRef::Level(l) => format!("{} ({})", l.level(), l.label()),
            ValueRef::Percent(p) => format!("{p} %"),
        }
    }
}

/// A field type seen as a [`ValueRef`].
pub trait AsValueRef {
    /// The value borrowed, if present.
    fn as_value_ref(&self) -> ValueRef<'_>;
}

impl AsValueRef for String {
    fn as_value_ref(&self) -> ValueRef<'_> {
        ValueRef::Text(self)
    }
}

/// A value read from one cell: `None` when the cell was empty, held a
/// placeholder, or could not be read (the ingester then recorded a warning).
/// The location is the cell where the value is (or should be).
#[derive(Debug, Clone, PartialEq)]
pub struct Field<T> {
    /// The value, or `None` where the cell was empty or unreadable.
    pub value: Option<T>,
    /// Where it was read.
    pub loc: Location,
}

impl<T> Field<T> {
    /// A value read at `loc`.
    pub fn new(value: Option<T>, loc: Location) -> Self {
        Self { value, loc }
    }

    /// The value, if present.
    pub fn get(&self) -> Option<&T> {
        self.value.as_ref()
    }

    /// Whether a value is present.
    pub fn is_present(&self) -> bool {
        self.value.is_some()
    }
}

/// Conversion from a normalised [`Value`] to a field's Rust type.
pub trait FromValue: Sized {
    /// The typed value, if `v` is of this type.
    fn from_value(v: Value) -> Option<Self>;
}

impl FromValue for String {
    fn from_value(v: Value) -> Option<Self> {
        match v {
            Value::Text(s) => Some(s),
            other => Some(other.display()),
        }
    }
}

/// Conversion from a field's Rust type back to a [`Value`] (for rules and reports).
pub trait IntoValue {
    /// The value as a [`Value`].
    fn into_value(self) -> Value;
}

impl IntoValue for String {
    fn into_value(self) -> Value {
        Value::Text(self)
    }
}

/// [`FromValue`], [`IntoValue`] and [`AsValueRef`] for a `Copy` field type
/// that is one variant of [`Value`].
macro_rules! copy_value {
    ($($ty:ty => $variant:ident),* $(,)?) => {$(
        impl FromValue for $ty {
            fn from_value(v: Value) -> Option<Self> {
                match v {
                    Value::$variant(x) => Some(x),
                    _ => None,
                }
            }
        }
        impl IntoValue for $ty {
            fn into_value(self) -> Value {
                Value::$variant(self)
            }
        }
        impl AsValueRef for $ty {
            fn as_value_ref(&self) -> ValueRef<'_> {
                ValueRef::$variant(*self)
            }
        }
    )*};
}

copy_value!(
    bool => Bool,
    NaiveDate => Date,
    i64 => Int,
    Money => Money,
    Sakerhetsniva => Level,
    f64 => Percent,
);
