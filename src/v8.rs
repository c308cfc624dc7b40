//! V8's and Blink's well-known names: the node and edge names that the analyses give meaning to,
//! and the class names DevTools adds. Every such literal lives here, once, so that a reader can
//! see at a glance which names heaplens depends on. A leaf module.

/// The synthetic node that holds the document's DOM trees in browser snapshots; a user root.
pub const DOCUMENT_DOM_TREES: &str = "(Document DOM trees)";
/// The synthetic node under which V8 lists its own roots.
pub const GC_ROOTS: &str = "(GC roots)";
/// The prefix DevTools gives detached DOM nodes' names (and so their class names).
pub const DETACHED_PREFIX: &str = "Detached ";
/// An ArrayBuffer's backing store: native memory outside the V8 heap.
pub const ARRAY_BUFFER_DATA: &str = "system / JSArrayBufferData";
/// An external string's characters: native memory outside the V8 heap.
pub const EXTERNAL_STRING_DATA: &str = "system / ExternalStringData";
/// A JavaScript realm's native context.
pub const NATIVE_CONTEXT: &str = "system / NativeContext";
/// The native context's edge that DevTools' distances do not follow.
pub const SLOPPY_FUNCTION_MAP: &str = "sloppy_function_map";
/// The arrays of property descriptors that hang off maps.
pub const MAP_DESCRIPTORS: &str = "(map descriptors)";
/// A JavaScript object's elements store (the edge from an array to its backing array).
pub const ELEMENTS: &str = "elements";
/// A concatenated string's two halves.
pub const CONS_FIRST: &str = "first";
pub const CONS_SECOND: &str = "second";
/// The prototype link, which DevTools leaves out of `{a, b}` names.
pub const PROTO: &str = "__proto__";
/// A plain object's name.
pub const OBJECT: &str = "Object";
/// A JavaScript array's name.
pub const ARRAY: &str = "Array";
/// A closure's context edge and a context's closure-variable edges are named by the variable.
pub const CONTEXT: &str = "context";

/// The class names DevTools gives nodes by type rather than by name.
pub mod class {
    pub const SYSTEM: &str = "(system)";
    pub const COMPILED_CODE: &str = "(compiled code)";
    pub const FUNCTION: &str = "Function";
    pub const REGEXP: &str = "RegExp";
}

/// Whether a native node's name marks it as part of a detached DOM tree.
pub fn is_detached(name: &str) -> bool {
    name.starts_with(DETACHED_PREFIX)
}

/// Whether a name is a detached HTML element's (`Detached <div id="a">`).
pub fn is_detached_element(name: &str) -> bool {
    name.strip_prefix(DETACHED_PREFIX)
        .is_some_and(|n| n.starts_with('<'))
}
