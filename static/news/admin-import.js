// The import progress page (templates/admin/news/post/import_progress.html):
// asks the job's JSON every second and shows files done, the current file and
// the report's summary; once the job ends, reloads to show the whole report.
// Without JavaScript, a <noscript> meta refresh reloads the page instead.
(() => {
  const root = document.querySelector("[data-status-url]");
  if (!root) return;
  const show = (job) => {
    for (const element of root.querySelectorAll("[data-field]")) {
      const value = job[element.dataset.field];
      if (value !== undefined && value !== "") element.textContent = value;
    }
    const bar = root.querySelector("progress");
    if (bar) {
      bar.max = job.files_total || 1;
      bar.value = job.files_done;
      bar.textContent = `${job.files_done} of ${job.files_total}`;
    }
  };
  const poll = async () => {
    try {
      const response = await fetch(root.dataset.statusUrl, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (response.ok) {
        const job = await response.json();
        show(job);
        if (job.finished) {
          window.location.reload();
          return;
        }
      }
    } catch (error) {
      // A dropped connection: try again on the next tick.
    }
    window.setTimeout(poll, 1000);
  };
  window.setTimeout(poll, 1000);
})();
