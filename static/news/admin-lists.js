// A select filter (templates/admin/select_filter.html) goes to the chosen
// choice's address as soon as it is picked, as the stock filters' links do.
document.addEventListener("change", (event) => {
  const select = event.target.closest("select.admin-select-filter");
  if (select && select.value) {
    window.location.search = select.value.replace(/^\?/, "");
  }
});
