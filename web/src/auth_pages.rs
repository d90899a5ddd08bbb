//! Sign-in and sign-up: one form, checked as the person types, with the
//! server's answer shown when it refuses.

use api_client::types::{SignInRequest, SignUpRequest};
use charter_domain::account;
use yew::prelude::*;

use crate::context::AppCtx;
use crate::controls::{Field, Link, focus};
use crate::display::error_message;
use crate::route::Route;

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    SignIn,
    SignUp,
}

#[derive(Properties, PartialEq)]
struct AuthFormProps {
    mode: Mode,
}

#[component]
pub fn SignIn() -> Html {
    html! { <AuthForm mode={Mode::SignIn} /> }
}

#[component]
pub fn SignUp() -> Html {
    html! { <AuthForm mode={Mode::SignUp} /> }
}

#[component]
fn AuthForm(props: &AuthFormProps) -> Html {
    let ctx = use_context::<AppCtx>().expect("pages render inside the app");
    let sign_up = props.mode == Mode::SignUp;
    let name = use_state(String::new);
    let email = use_state(String::new);
    let password = use_state(String::new);
    // A field's error shows once the person has left it, or tried to submit.
    let touched = use_state(|| (false, false, false));
    let pending = use_state(|| false);
    let server_error = use_state(|| None::<String>);
    let name_ref = use_node_ref();
    let email_ref = use_node_ref();
    let password_ref = use_node_ref();

    let name_error = sign_up.then(|| account::name(&name).err()).flatten().map(|e| e.message);
    let email_error = if email.trim().is_empty() {
        Some("Enter your email address.".to_string())
    } else {
        account::email(&email).err().map(|e| e.message)
    };
    let password_error = if sign_up {
        account::password(&password).err().map(|e| e.message)
    } else {
        password.is_empty().then(|| "Enter your password.".to_string())
    };

    let onsubmit = {
        let (name, email, password) = (name.clone(), email.clone(), password.clone());
        let (touched, pending, server_error) = (touched.clone(), pending.clone(), server_error.clone());
        let (name_ref, email_ref, password_ref) = (name_ref.clone(), email_ref.clone(), password_ref.clone());
        let (name_error, email_error, password_error) =
            (name_error.clone(), email_error.clone(), password_error.clone());
        let ctx = ctx.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            if *pending {
                return;
            }
            touched.set((true, true, true));
            if name_error.is_some() {
                return focus(&name_ref);
            }
            if email_error.is_some() {
                return focus(&email_ref);
            }
            if password_error.is_some() {
                return focus(&password_ref);
            }
            pending.set(true);
            server_error.set(None);
            let client = ctx.client.clone();
            let signed_in = ctx.signed_in.clone();
            let (pending, server_error) = (pending.clone(), server_error.clone());
            let (name, email, password) =
                ((*name).trim().to_string(), (*email).trim().to_string(), (*password).clone());
            yew::platform::spawn_local(async move {
                let result = if sign_up {
                    client.auth_sign_up().body(SignUpRequest { email, name, password }).send().await
                } else {
                    client.auth_sign_in().body(SignInRequest { email, password }).send().await
                };
                match result {
                    Ok(session) => signed_in.emit(session.into_inner()),
                    Err(error) => {
                        server_error.set(Some(error_message(&error)));
                        pending.set(false);
                    }
                }
            });
        })
    };

    let setter = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |value: String| state.set(value))
    };
    let blur = |which: usize| {
        let touched = touched.clone();
        Callback::from(move |()| {
            let mut t = *touched;
            match which {
                0 => t.0 = true,
                1 => t.1 = true,
                _ => t.2 = true,
            }
            touched.set(t);
        })
    };
    let (heading, button, busy) = if sign_up {
        ("Create your account", "Create account", "Creating account…")
    } else {
        ("Sign in to Charter", "Sign in", "Signing in…")
    };
    html! {
        <section class="card narrow">
            <h1 tabindex="-1">{ heading }</h1>
            if !sign_up {
                if let Some(flash) = &ctx.flash {
                    <p class="notice" role="status" id="flash">{ flash.clone() }</p>
                }
            }
            <form {onsubmit} novalidate=true aria-busy={(*pending).then_some("true")}>
                if sign_up {
                    <Field id="name" label="Name" value={(*name).clone()} autocomplete="name"
                        error={touched.0.then(|| name_error.clone()).flatten()}
                        oninput={setter(&name)} onblur={blur(0)} node_ref={name_ref} />
                }
                <Field id="email" label="Email" kind="email" value={(*email).clone()}
                    autocomplete="email"
                    error={touched.1.then(|| email_error.clone()).flatten()}
                    oninput={setter(&email)} onblur={blur(1)} node_ref={email_ref} />
                <Field id="password" label="Password" kind="password" value={(*password).clone()}
                    autocomplete={if sign_up { "new-password" } else { "current-password" }}
                    hint={sign_up.then_some(AttrValue::Static("8 to 128 characters."))}
                    error={touched.2.then(|| password_error.clone()).flatten()}
                    oninput={setter(&password)} onblur={blur(2)} node_ref={password_ref} />
                if let Some(error) = &*server_error {
                    <p class="error banner" role="alert" id="form-error">{ error.clone() }</p>
                }
                <button type="submit" class="button primary wide" id="submit" disabled={*pending}>
                    { if *pending { busy } else { button } }
                </button>
            </form>
            <p class="switch">
                if sign_up {
                    { "Already have an account? " }
                    <Link to={Route::SignIn} id="to-sign-in">{ "Sign in" }</Link>
                } else {
                    { "New to Charter? " }
                    <Link to={Route::SignUp} id="to-sign-up">{ "Create an account" }</Link>
                }
            </p>
        </section>
    }
}
