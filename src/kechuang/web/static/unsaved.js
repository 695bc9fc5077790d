// Warn before leaving a page whose form (marked data-warn-unsaved) holds edits that were not sent.
document.querySelectorAll("form[data-warn-unsaved]").forEach(function (form) {
  var sent = false;
  var initial = new FormData(form);
  function changed() {
    var now = new FormData(form);
    for (var pair of now.entries()) {
      if (initial.get(pair[0]) !== pair[1]) { return true; }
    }
    return false;
  }
  document.addEventListener("submit", function () { sent = true; }, true);
  window.addEventListener("beforeunload", function (event) {
    if (!sent && changed()) {
      event.preventDefault();
      event.returnValue = form.dataset.warnUnsaved;
      return form.dataset.warnUnsaved;
    }
  });
});
