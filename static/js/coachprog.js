/*
 * coachprog: the only first-party script.
 *
 * htmx posts must carry Django's CSRF token. We read it from the csrftoken
 * cookie when it is readable, else from <meta name="csrf-token"> in base.html
 * (which also covers CSRF_COOKIE_HTTPONLY). Kept in a file rather than an
 * inline <script> so that a Content Security Policy can forbid inline code.
 */
(function () {
  "use strict";

  function csrfTokenFromCookie() {
    var cookies = document.cookie ? document.cookie.split(";") : [];
    for (var i = 0; i < cookies.length; i++) {
      var cookie = cookies[i].trim();
      if (cookie.indexOf("csrftoken=") === 0) {
        return decodeURIComponent(cookie.substring("csrftoken=".length));
      }
    }
    return "";
  }

  function csrfTokenFromMeta() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfTokenFromCookie() || csrfTokenFromMeta();
    if (token) {
      event.detail.headers["X-CSRFToken"] = token;
    }
  });

  // A plain (non-htmx) form with data-confirm asks before it posts; without JavaScript it just posts.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
})();
