// Roll pages: switch the form to one-tap saving (htmx does the saving) and add keyboard
// shortcuts. Without this script the page is a plain form that saves the whole roll.
(function () {
  "use strict";

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("#roll-rows .student"));
  }

  function buttonsOf(row) {
    return Array.prototype.slice.call(row.querySelectorAll(".tap .code"));
  }

  function focusRow(row) {
    if (!row) return;
    var target = row.querySelector(".tap .code[aria-pressed=true]") || row.querySelector(".tap .code") || row;
    if (target.disabled) target = row;
    target.focus();
    row.scrollIntoView({ block: "nearest" });
  }

  function currentRow() {
    var active = document.activeElement;
    return active && active.closest ? active.closest("#roll-rows .student") : null;
  }

  function typing(element) {
    return element && (element.tagName === "INPUT" || element.tagName === "TEXTAREA" || element.tagName === "SELECT" ||
      element.isContentEditable) && element.type !== "radio";
  }

  function onKey(event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (typing(event.target)) {
      // Enter in a note saves that note (htmx listens for "change"), never the whole form.
      if (event.key === "Enter" && event.target.closest("#roll-rows")) {
        event.preventDefault();
        event.target.dispatchEvent(new Event("change", { bubbles: true }));
      }
      return;
    }
    var all = rows();
    if (!all.length) return;
    var row = currentRow();
    var index = row ? all.indexOf(row) : -1;
    var key = event.key;
    if (key === "j" || key === "ArrowDown") {
      event.preventDefault();
      focusRow(all[Math.min(index + 1, all.length - 1)]);
    } else if (key === "k" || key === "ArrowUp") {
      event.preventDefault();
      focusRow(all[Math.max(index - 1, 0)]);
    } else if ((key === "ArrowLeft" || key === "ArrowRight") && row) {
      var buttons = buttonsOf(row);
      var at = buttons.indexOf(document.activeElement);
      if (at === -1) return;
      event.preventDefault();
      var next = buttons[(at + (key === "ArrowRight" ? 1 : buttons.length - 1)) % buttons.length];
      next.focus();
    } else if (row && key.length === 1) {
      var wanted = key.toLowerCase();
      var button = buttonsOf(row).filter(function (b) {
        return (b.getAttribute("data-keys") || "").split(" ").indexOf(wanted) !== -1;
      })[0];
      if (!button || button.disabled) return;
      event.preventDefault();
      button.click();
      // Straight on to the next student, so a roll is a run of key presses.
      focusRow(all[index + 1] || row);
    }
  }

  // A tap disables its row while saving, then replaces it: give the keyboard back the same
  // button, unless the teacher has already moved on.
  var focusedId = null;
  document.addEventListener("click", function (event) {
    var tapped = event.target.closest && event.target.closest("#roll-rows button[id]");
    focusedId = tapped ? tapped.id : null;
  }, true);
  document.addEventListener("htmx:afterSettle", function () {
    if (!focusedId) return;
    var active = document.activeElement;
    if (!active || active === document.body || !document.body.contains(active)) {
      var again = document.getElementById(focusedId);
      if (again) again.focus();
    }
  });

  // A save that fails (no connection, the server unavailable, the student no longer in the
  // class) leaves the row as it was saved and says so, so nobody walks away from a roll that
  // looks taken but is not. The next save that works clears the message.
  function problemBox() {
    return document.getElementById("roll-problem");
  }

  function onFailedSave(event) {
    var box = problemBox();
    var source = event.detail && event.detail.elt;
    if (!box || !source || !source.closest || !source.closest("#roll")) return;
    var row = source.closest("#roll-rows .student");
    var name = row && row.querySelector(".name") ? row.querySelector(".name").textContent : "";
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    var why = status === 0 ? "There is no connection to the school's system."
      : status === 503 ? "The school's system is unavailable for a moment."
      : "The school's system could not save it.";
    if (status === 404) why = "This student or roll is no longer yours to mark: reload the page.";
    else why += " Try again in a moment.";
    box.textContent = (name ? "Not saved for " + name + ". " : "Not saved. ") + why;
    box.hidden = false;
    if (row) row.classList.add("save-failed");
  }

  function onSaved(event) {
    var box = problemBox();
    if (!box || box.hidden || !event.detail || !event.detail.successful) return;
    box.hidden = true;
    box.textContent = "";
    Array.prototype.forEach.call(document.querySelectorAll("#roll-rows .save-failed"), function (row) {
      row.classList.remove("save-failed");
    });
  }

  function start() {
    var form = document.getElementById("roll");
    if (!form || !window.htmx) return; // no htmx: stay a plain form
    form.classList.add("live");
    document.documentElement.classList.add("roll-live");
    document.addEventListener("keydown", onKey);
    document.addEventListener("htmx:responseError", onFailedSave);
    document.addEventListener("htmx:sendError", onFailedSave);
    document.addEventListener("htmx:afterRequest", onSaved);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
