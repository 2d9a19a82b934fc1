/*
 * The idle-timeout warning (issue 7; SPEC R-10-1). The server ends a session after
 * SESSION_IDLE_SECONDS without a request; this script shows a calm dialog some minutes before
 * that, with "Stay logged in" (a POST to the keep-alive endpoint, which renews the session) and
 * "Log out". Every page load and every htmx request renews the session, so both restart the
 * clock. The numbers and URLs come from data attributes on <body> (templates/base.html); the
 * dialog's text is in the page (templates/components/session_timeout.html), translated there.
 */
(function () {
  "use strict";

  var body = document.body;
  var idle = Number(body.dataset.sessionIdleSeconds || 0);
  var warn = Number(body.dataset.sessionWarningSeconds || 0);
  var keepaliveUrl = body.dataset.sessionKeepaliveUrl;
  var loginUrl = body.dataset.sessionLoginUrl;
  var dialog = document.getElementById("session-timeout");
  if (!idle || !keepaliveUrl || !dialog || typeof dialog.showModal !== "function") {
    return;
  }
  var stay = dialog.querySelector("[data-session-stay]");
  var status = document.getElementById("session-timeout-status");
  var warnTimer = null;
  var endTimer = null;

  function csrfToken() {
    try {
      return JSON.parse(body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function schedule() {
    window.clearTimeout(warnTimer);
    window.clearTimeout(endTimer);
    warnTimer = window.setTimeout(showWarning, Math.max(0, idle - warn) * 1000);
    endTimer = window.setTimeout(expired, idle * 1000);
  }

  function showWarning() {
    if (status) {
      status.textContent = "";
    }
    if (!dialog.open) {
      dialog.showModal();
    }
    stay.focus();
  }

  function expired() {
    var here = window.location.pathname + window.location.search;
    window.location.assign(loginUrl + "?next=" + encodeURIComponent(here));
  }

  function keepAlive() {
    window.fetch(keepaliveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken() },
      redirect: "manual"
    }).then(function (response) {
      if (response.status !== 204) {
        expired();
        return;
      }
      if (dialog.open) {
        dialog.close();
      }
      if (status) {
        status.textContent = status.dataset.renewedText || "";
      }
      schedule();
    }).catch(expired);
  }

  stay.addEventListener("click", keepAlive);
  // Escape closes a modal dialog: the person is clearly there, so that counts as staying.
  dialog.addEventListener("cancel", function (event) {
    event.preventDefault();
    keepAlive();
  });
  body.addEventListener("htmx:afterRequest", schedule);
  schedule();
})();
