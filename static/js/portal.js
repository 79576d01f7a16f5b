// Progressive enhancements only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Move focus to the error summary so screen-reader and keyboard users hear what to fix first.
  const summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }

  // Show the fields that depend on a choice (a GT's delegate, Option 1's actions) only once it is made.
  document.querySelectorAll("[data-reveal-when]").forEach((block) => {
    const control = document.getElementById(block.dataset.revealWhen);
    if (!control) {
      return;
    }
    const group = control.type === "radio" ? document.getElementsByName(control.name) : [control];
    const update = () => {
      block.hidden = !control.checked;
    };
    group.forEach((input) => input.addEventListener("change", update));
    update();
  });
});
