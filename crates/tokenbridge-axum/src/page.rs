//! The few HTML pages the routes answer with.

/// Escapes `text` for HTML text and quoted attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The page of a refused sign-in: what went wrong, and where to go.
pub(crate) fn failure(title: &str, message: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\n\
         <body><h1>{title}</h1>\n<p id=\"problem\">{message}</p>\n\
         <p><a href=\"/\">Home</a></p></body></html>\n",
        title = escape_html(title),
        message = escape_html(message),
    )
}

/// The name of the field that marks a callback the browser posted a second time.
pub(crate) const RESUBMITTED: &str = "tokenbridge_resubmitted";

/// A page that posts a form callback again, from this site.
///
/// A provider that answers with `response_mode=form_post` makes the browser POST the callback
/// from the provider's site; a `SameSite=Lax` cookie is not sent with such a cross-site POST,
/// so the session (and its pending login) is missing. Posting the same fields again from this
/// site's own page is a same-site request, which carries the cookie.
pub(crate) fn resubmit(action: &str, fields: &[(String, String)]) -> String {
    let inputs: String = fields
        .iter()
        .map(|(name, value)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                escape_html(name),
                escape_html(value)
            )
        })
        .collect();
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Signing in</title></head>\n\
         <body onload=\"document.forms[0].submit()\">\n<form method=\"post\" action=\"{action}\">{inputs}\
         <input type=\"hidden\" name=\"{RESUBMITTED}\" value=\"1\">\
         <noscript><button type=\"submit\">Continue</button></noscript></form></body></html>\n",
        action = escape_html(action),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_text_and_attributes() {
        assert_eq!(
            escape_html(r#"<script>alert("x" + 'y')</script> & co"#),
            "&lt;script&gt;alert(&quot;x&quot; + &#39;y&#39;)&lt;/script&gt; &amp; co"
        );
    }

    #[test]
    fn the_resubmit_page_escapes_every_field() {
        let page = resubmit("/callback", &[("state".into(), "\"><script>".into())]);
        assert!(
            page.contains("value=\"&quot;&gt;&lt;script&gt;\""),
            "{page}"
        );
        assert!(page.contains(&format!("name=\"{RESUBMITTED}\"")));
    }
}
