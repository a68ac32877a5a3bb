// The home page suggests another of the site's languages when the browser
// prefers it: a notice with a link, never a redirect (news/public/locale.py).
(function () {
  "use strict";
  var page = (document.documentElement.lang || "").toLowerCase();
  var base = function (code) { return code.toLowerCase().split("-")[0]; };
  var preferred = (navigator.languages || [navigator.language || ""])[0] || "";
  if (!preferred || base(preferred) === base(page)) { return; }
  var notices = document.querySelectorAll(".language-suggestion[data-language]");
  for (var i = 0; i < notices.length; i++) {
    if (base(notices[i].getAttribute("data-language")) === base(preferred)) {
      notices[i].hidden = false;
      return;
    }
  }
})();
