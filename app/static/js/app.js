// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Exam countdown: shows the time the server allows and submits the paper when it runs out.
  var timer = document.getElementById("exam-timer");
  var form = document.getElementById("exam-form");
  if (timer && form) {
    var left = parseInt(timer.getAttribute("data-seconds-left"), 10);
    var value = timer.querySelector(".timer-value");
    var deadline = Date.now() + left * 1000;
    var tick = function () {
      var s = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      value.textContent = Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
      if (s <= 60) { timer.classList.add("timer-low"); }
      if (s === 0) { form.dataset.timeout = "1"; form.submit(); return; }
      window.setTimeout(tick, 1000);
    };
    tick();
  }

  // Keep each exam answer on the server as soon as it is chosen (the Save button does the same
  // without JavaScript), so that a reload or another device shows it and the deadline grades it.
  // One save at a time per question, the latest choice last: quick clicks (A, then C, then E) could
  // otherwise reach the server out of order and leave an older choice saved. keepalive lets a save
  // in flight finish when the page is reloaded or left.
  if (form && form.dataset.saveUrl) {
    var saving = {};
    var save = function (set) {
      var position = set.getAttribute("data-position");
      var entry = saving[position] || (saving[position] = {busy: false, again: false});
      var state = set.querySelector(".save-state");
      if (entry.busy) { entry.again = true; return; }
      entry.busy = true;
      state.setAttribute("data-state", "saving");
      var body = new FormData();
      body.append("csrf_token", form.querySelector("input[name=csrf_token]").value);
      body.append("only", position);
      set.querySelectorAll("input:checked, input[type=text]").forEach(function (input) {
        body.append(input.name, input.value);
      });
      fetch(form.dataset.saveUrl, {method: "POST", body: body, credentials: "same-origin", keepalive: true,
                                   headers: {"X-Requested-With": "fetch"}})
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          if (!entry.again) {
            state.textContent = form.dataset.savedText;
            state.setAttribute("data-state", "saved");
          }
        })
        .catch(function () {
          state.textContent = form.dataset.saveFailedText;
          state.setAttribute("data-state", "failed");
        })
        .then(function () {
          entry.busy = false;
          if (entry.again) { entry.again = false; save(set); }
        });
    };
    form.addEventListener("change", function (event) {
      var set = event.target.closest("fieldset.question");
      if (set) { save(set); }
    });
  }

  // Warn before submitting an exam with unanswered questions; never submit twice.
  if (form) {
    form.addEventListener("submit", function (event) {
      if (event.submitter && event.submitter.hasAttribute("data-save")) { return; }
      if (form.dataset.submitting) { event.preventDefault(); return; }
      if (!form.dataset.timeout) {
        var sets = form.querySelectorAll("fieldset.question");
        var missing = Array.prototype.filter.call(sets, function (fs) {
          var typed = Array.prototype.some.call(fs.querySelectorAll("input[type=text]"), function (input) {
            return input.value.trim() !== "";
          });
          return !fs.querySelector("input:checked") && !typed;
        });
        if (missing.length && !window.confirm(form.getAttribute("data-confirm-unanswered"))) {
          event.preventDefault();
          return;
        }
      }
      form.dataset.submitting = "1";
    });
  }

  // Public play: an answer costs one request. The server returns the answered state (the verdict,
  // every option marked and why, the way on) and it takes the form's place; if anything goes wrong
  // the form is posted as it is without JavaScript, and the page says why.
  var showAnswer = function (answerForm, html) {
    var section = answerForm.closest(".play-question");
    var note = section.querySelector(".choose-every");
    if (note) { note.remove(); }
    var holder = document.createElement("div");
    holder.innerHTML = html;  // rendered (and escaped) by the server's template
    answerForm.replaceWith.apply(answerForm, Array.prototype.slice.call(holder.childNodes));
    var bar = document.querySelector(".progress-line progress");
    if (bar) { bar.value = Number(section.getAttribute("data-position")); }
    var verdict = section.querySelector(".verdict");
    if (verdict) { verdict.setAttribute("tabindex", "-1"); verdict.focus(); }
  };
  var bindAnswerForm = function (answerForm) {
    answerForm.addEventListener("submit", function (event) {
      event.preventDefault();
      if (answerForm.dataset.sending) { return; }
      answerForm.dataset.sending = "1";
      fetch(answerForm.action, {method: "POST", body: new FormData(answerForm), credentials: "same-origin",
                                headers: {"X-Requested-With": "fetch"}})
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.text();
        })
        .then(function (html) { showAnswer(answerForm, html); })
        .catch(function () { answerForm.submit(); });
    });
  };
  document.querySelectorAll("form.answer-form").forEach(bindAnswerForm);

  // "Next question" loads the next question in place (the question alone, one light request) and the
  // address follows; if anything goes wrong, the link is simply followed.
  var showQuestion = function (html) {
    var holder = document.createElement("div");
    holder.innerHTML = html;  // rendered (and escaped) by the server's template
    var next = holder.querySelector(".play");
    var current = document.querySelector(".play");
    if (!next || !current) { return false; }
    current.replaceWith(next);
    document.title = next.getAttribute("data-title") || document.title;
    next.querySelectorAll("form.answer-form").forEach(bindAnswerForm);
    window.scrollTo(0, 0);
    var stem = next.querySelector(".stem");
    if (stem) { stem.setAttribute("tabindex", "-1"); stem.focus(); }
    return true;
  };
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-next-question]");
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) {
      return;
    }
    event.preventDefault();
    fetch(link.href, {credentials: "same-origin", headers: {"X-Requested-With": "fetch"}})
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text().then(function (html) { return {url: response.url, html: html}; });
      })
      .then(function (loaded) {
        window.history.pushState({question: loaded.url}, "", loaded.url);
        swapped = true;
        if (!showQuestion(loaded.html)) { window.location.href = loaded.url; }
      })
      .catch(function () { window.location.href = link.href; });
  });
  var swapped = false;  // once a question was loaded in place, going back or forward loads the page
  window.addEventListener("popstate", function () {
    if (swapped) { window.location.reload(); }
  });

  // Buttons marked data-once submit their form a single time (double clicks, impatient taps), also
  // when they sit outside the form they submit (form="…", as the overdue list's row buttons do).
  document.addEventListener("submit", function (event) {
    var submitter = event.submitter && event.submitter.hasAttribute("data-once") ? event.submitter : null;
    var button = submitter || event.target.querySelector("[data-once]");
    if (!button || event.defaultPrevented) { return; }
    if (event.submitter && event.submitter.hasAttribute("data-save")) { return; }
    if (event.target.dataset.sent) { event.preventDefault(); return; }
    event.target.dataset.sent = "1";
    document.querySelectorAll(".reply-button").forEach(function (b) { b.setAttribute("aria-disabled", "true"); });
  });

  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-print]");
    if (target) { window.print(); }
  });
})();
