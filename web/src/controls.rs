//! The controls the pages share: an in-app link, a labelled form field,
//! and reading and focusing inputs.

use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::context::AppCtx;
use crate::route::Route;

#[derive(Properties, PartialEq)]
pub struct LinkProps {
    pub to: Route,
    #[prop_or_default]
    pub class: Classes,
    #[prop_or_default]
    pub id: Option<AttrValue>,
    #[prop_or_default]
    pub children: Html,
}

/// An `<a>` that changes page without reloading the app (a modified click
/// still opens a new tab).
#[component]
pub fn Link(props: &LinkProps) -> Html {
    let ctx = use_context::<AppCtx>();
    let to = props.to;
    let onclick = Callback::from(move |event: MouseEvent| {
        if event.ctrl_key() || event.meta_key() || event.shift_key() || event.button() != 0 {
            return;
        }
        if let Some(ctx) = &ctx {
            event.prevent_default();
            ctx.navigate.emit(to);
        }
    });
    html! {
        <a href={to.path()} class={props.class.clone()} id={props.id.clone()} {onclick}>
            { props.children.clone() }
        </a>
    }
}

#[derive(Properties, PartialEq)]
pub struct FieldProps {
    pub id: AttrValue,
    pub label: AttrValue,
    #[prop_or(AttrValue::Static("text"))]
    pub kind: AttrValue,
    pub value: AttrValue,
    #[prop_or_default]
    pub autocomplete: Option<AttrValue>,
    #[prop_or_default]
    pub hint: Option<AttrValue>,
    /// Shown (and announced) only when `Some`.
    #[prop_or_default]
    pub error: Option<String>,
    pub oninput: Callback<String>,
    #[prop_or_default]
    pub onblur: Callback<()>,
    #[prop_or_default]
    pub node_ref: NodeRef,
    #[prop_or_default]
    pub disabled: bool,
}

/// A labelled input with its hint and its error tied to it for assistive
/// technology.
#[component]
pub fn Field(props: &FieldProps) -> Html {
    let hint_id = format!("{}-hint", props.id);
    let error_id = format!("{}-error", props.id);
    let mut described = Vec::new();
    if props.hint.is_some() {
        described.push(hint_id.clone());
    }
    if props.error.is_some() {
        described.push(error_id.clone());
    }
    let oninput = props.oninput.reform(|e: InputEvent| input_value(&e));
    let onblur = props.onblur.reform(|_: FocusEvent| ());
    html! {
        <div class={classes!("field", props.error.is_some().then_some("invalid"))}>
            <label for={props.id.clone()}>{ props.label.clone() }</label>
            <input
                id={props.id.clone()}
                name={props.id.clone()}
                type={props.kind.clone()}
                value={props.value.clone()}
                autocomplete={props.autocomplete.clone()}
                aria-invalid={props.error.is_some().then_some("true")}
                aria-describedby={(!described.is_empty()).then(|| described.join(" "))}
                disabled={props.disabled}
                ref={props.node_ref.clone()}
                {oninput}
                {onblur}
            />
            if let Some(hint) = &props.hint {
                <p class="hint" id={hint_id}>{ hint.clone() }</p>
            }
            if let Some(error) = &props.error {
                <p class="error" id={error_id}>{ error.clone() }</p>
            }
        </div>
    }
}

/// The value of the `<input>` or `<textarea>` an input event came from.
pub fn input_value(event: &InputEvent) -> String {
    let target = event.target();
    if let Some(input) = target.clone().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
        return input.value();
    }
    target
        .and_then(|t| t.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
        .map(|t| t.value())
        .unwrap_or_default()
}

/// Moves the keyboard focus to `node`'s element, if it is on screen.
pub fn focus(node: &NodeRef) {
    if let Some(element) = node.cast::<web_sys::HtmlElement>() {
        let _ = element.focus();
    }
}

/// The value of the `<select>` (or `<input>`) a change event came from.
pub fn event_value(event: &Event) -> String {
    let target = event.target();
    if let Some(select) = target.clone().and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok()) {
        return select.value();
    }
    target.and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()).map(|i| i.value()).unwrap_or_default()
}
