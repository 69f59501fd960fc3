// Roll pages: switch the form to one-tap saving (htmx does the saving) and add keyboard
// shortcuts. Without this script the page is a plain form that saves the whole roll.
(function () {
  "use strict";

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("#roll-rows .student"));
  }

  function radiosOf(row) {
    // The codes the teacher can see: the quick ones, and those under an open "More".
    return Array.prototype.slice.call(row.querySelectorAll("input[type=radio]")).filter(function (r) {
      return r.offsetParent !== null;
    });
  }

  // A row (li.student) takes the focus only from the script: it is given tabindex -1 then,
  // rather than in every row of the page.
  function focusable(element) {
    if (element.classList.contains("student")) element.tabIndex = -1;
    return element;
  }

  function focusRow(row) {
    if (!row) return;
    var target = row.querySelector(".line input:checked") || row.querySelector(".line input[type=radio]") || row;
    if (target.disabled) target = row;
    focusable(target).focus();
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

  var keys = {};

  function choose(radio) {
    if (!radio || radio.disabled) return;
    if (radio.checked) {
      // Already chosen but not saved (a suggestion): save it.
      radio.dispatchEvent(new Event("change", { bubbles: true }));
    } else {
      radio.click();
    }
  }

  function onKey(event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (typing(event.target)) {
      // Enter in a note or minutes saves that field (htmx listens for "change"), never the whole form.
      // Shortcut keys never fire here: they type.
      if (event.key === "Enter" && event.target.closest("#roll-rows")) {
        event.preventDefault();
        event.target.dispatchEvent(new Event("change", { bubbles: true }));
        // Late's minutes typed and saved: on to the next student, as a code's key does.
        if (event.target.closest(".minutes")) nextRow(event.target);
      }
      return;
    }
    var all = rows();
    if (!all.length) return;
    var row = currentRow();
    var index = row ? all.indexOf(row) : -1;
    var key = event.key;
    if (row && /^[0-9]$/.test(key) && event.target.closest && event.target.closest(".presets")) {
      // On Late's presets a digit starts typing the minutes, never a code's shortcut.
      var minutes = row.querySelector(".minutes input[type=number]");
      if (!minutes || minutes.disabled) return;
      event.preventDefault();
      minutes.focus();
      minutes.value = key;
      return;
    }
    if (key === "j" || key === "ArrowDown") {
      event.preventDefault();
      focusRow(all[Math.min(index + 1, all.length - 1)]);
    } else if (key === "k" || key === "ArrowUp") {
      event.preventDefault();
      focusRow(all[Math.max(index - 1, 0)]);
    } else if ((key === "ArrowLeft" || key === "ArrowRight") && row) {
      // Move between the codes without choosing one (a radio would choose, and save, on each step).
      var radios = radiosOf(row);
      var at = radios.indexOf(document.activeElement);
      if (at === -1) return;
      event.preventDefault();
      // The codes run the way the page reads: right to left in Arabic (dir="rtl"), where the
      // right arrow goes back to the code before.
      var forward = (key === "ArrowRight") !== (getComputedStyle(row).direction === "rtl");
      radios[(at + (forward ? 1 : radios.length - 1)) % radios.length].focus();
    } else if (key === "Enter" && row && event.target.type === "radio") {
      event.preventDefault(); // not the whole form: this student's mark
      choose(event.target);
    } else if (row && key.length === 1 && keys[key.toLowerCase()] !== undefined) {
      var value = keys[key.toLowerCase()];
      var radio = row.querySelector("input[type=radio][value='" + value + "']");
      var select = row.querySelector("select[name$=-more]");
      if (!radio && select && !select.disabled) {
        // A code under "More": chosen from its list.
        event.preventDefault();
        select.value = value;
        select.dispatchEvent(new Event("change", { bubbles: true }));
        focusRow(all[index + 1] || row);
        return;
      }
      if (!radio || radio.disabled) return;
      event.preventDefault();
      choose(radio);
      // Straight on to the next student, so a roll is a run of key presses; Late waits for its minutes.
      if (!radio.hasAttribute("data-late")) focusRow(all[index + 1] || row);
    }
  }

  function nextRow(element) {
    var all = rows();
    var row = element.closest("#roll-rows .student");
    focusRow(all[all.indexOf(row) + 1] || row);
  }

  // A tap replaces its row: give the keyboard back the same control, or, after Late (tapped or
  // by its key), the minutes presets, unless the teacher has already moved on.
  var focused = null;
  var changed = null; // what the teacher last changed: the code, a note, the minutes
  document.addEventListener("change", function (event) { changed = event.target; }, true);
  document.addEventListener("htmx:beforeRequest", function (event) {
    var active = document.activeElement;
    var row = event.detail.elt && event.detail.elt.closest && event.detail.elt.closest("#roll-rows .student");
    var late = !!(row && changed && row.contains(changed) && changed.type === "radio" && changed.checked && changed.hasAttribute("data-late"));
    var inside = !!(row && active && row.contains(active));
    focused = row && (inside || late) ? { row: row.id, name: inside ? active.name : "", value: inside ? active.value : "", late: late } : null;
  });
  // (On the new row itself: an outerHTML swap's own events fire on the row it removed.)
  function refocus(row) {
    if (!focused || !row || row.id !== focused.row) return;
    var active = document.activeElement;
    if (active && active !== document.body && document.body.contains(active)) return;
    var preset = row.querySelector(".presets button");
    var minutes = row.querySelector("input[type=number]");
    var again = focused.late && preset && minutes && !minutes.value ? preset
      : focused.name ? row.querySelector("[name='" + focused.name + "']" + (focused.value && row.querySelector("input[type=radio][name='" + focused.name + "']") ? "[value='" + focused.value + "']" : "")) : null;
    focused = null;
    focusable(again || row).focus();
  }

  // Minutes presets: one tap fills in the minutes and saves them.
  document.addEventListener("click", function (event) {
    var preset = event.target.closest && event.target.closest(".presets button");
    if (!preset) return;
    var input = preset.closest(".student").querySelector("input[type=number]");
    input.value = preset.value;
    input.dispatchEvent(new Event("change", { bubbles: true }));
    if (event.detail === 0) nextRow(preset); // chosen with Enter or Space: on to the next student
  });

  // "More" opens on buttons: the row's "Other mark" list becomes one radio per code, as the
  // quick codes are (without JavaScript the list itself is part of the form).
  function buttonsFor(select) {
    var fieldset = document.createElement("div");
    fieldset.className = "codes";
    fieldset.setAttribute("role", "group");
    fieldset.setAttribute("aria-label", "Other marks");
    select.closest("label").before(fieldset);
    var sid = select.name.replace(/-more$/, "");
    Array.prototype.forEach.call(select.options, function (option) {
      if (!option.value) return;
      var label = document.createElement("label");
      var radio = document.createElement("input");
      radio.type = "radio";
      radio.name = sid + "-code";
      radio.value = option.value;
      if (option.hasAttribute("data-late")) radio.setAttribute("data-late", "");
      if (option.selected) {
        radio.checked = true;
        label.setAttribute("data-on", "");
      }
      var parts = option.textContent.split(" ");
      var abbr = document.createElement("b");
      abbr.textContent = parts.shift();
      label.appendChild(radio);
      label.appendChild(abbr);
      label.appendChild(document.createTextNode(parts.join(" ")));
      fieldset.appendChild(label);
    });
    select.closest("label").remove();
  }

  function openMore(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll("#roll.live details[open] select[name$=-more]"), buttonsFor);
  }

  document.addEventListener("toggle", function (event) {
    if (event.target.matches && event.target.matches("details.more")) openMore(event.target);
  }, true);

  // "Clear mark" posts its student's row only (without JavaScript it is part of the whole form).
  document.addEventListener("click", function (event) {
    var clear = event.target.closest && event.target.closest("#roll.live .clear");
    if (!clear) return;
    event.preventDefault();
    var row = clear.closest(".student");
    window.htmx.ajax("POST", row.getAttribute("hx-post"), { source: row, values: { clear: clear.value } });
  });

  // With one-tap saving a suggestion (from homeroom) is shown, not chosen: tapping it saves it.
  function unchooseSuggestions(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll(".code[data-suggested] input:checked"), function (radio) {
      radio.checked = false;
    });
  }

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
    // The sentences come translated from the page (templates/roll/sheet.html).
    var say = box.dataset;
    var why = status === 0 ? say.offline : status === 503 ? say.unavailable : say.failed;
    if (status === 404) why = say.gone;
    else why += " " + say.tryAgain;
    box.textContent = (name ? say.notSavedFor.replace("{name}", name) : say.notSaved) + " " + why;
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
    keys = JSON.parse(form.getAttribute("data-keys") || "{}");
    window.htmx.onLoad(unchooseSuggestions);
    window.htmx.onLoad(openMore);
    window.htmx.onLoad(refocus);
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
