/*
 * coachprog: the meeting form's "Another next step" button.
 *
 * The form already has three blank next-step rows, so it works without
 * JavaScript; this adds more rows from the formset's empty form and keeps
 * the management form's TOTAL_FORMS in step.
 */
(function () {
  "use strict";

  var button = document.getElementById("add-next-step");
  var list = document.getElementById("next-steps");
  var template = document.getElementById("next-step-template");
  if (!button || !list || !template) {
    return;
  }
  var prefix = list.getAttribute("data-prefix");
  var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
  var max = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
  button.classList.remove("d-none");

  button.addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    if (max && index >= parseInt(max.value, 10)) {
      button.disabled = true;
      return;
    }
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    list.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var inputs = list.lastElementChild.querySelectorAll("input");
    if (inputs.length) {
      inputs[0].focus();
    }
  });
})();
