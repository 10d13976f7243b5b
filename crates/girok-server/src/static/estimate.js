// Joins the ticked organisations into the one `lists` parameter the server reads (`A|B|C`).
// Without scripts every organisation forms a list.
(function () {
  var form = document.querySelector("form[action='/estimate']");
  var joined = document.getElementById("lists-joined");
  if (!form || !joined) return;
  form.addEventListener("submit", function () {
    var boxes = form.querySelectorAll("input[name=list]");
    var chosen = [];
    boxes.forEach(function (b) { if (b.checked) chosen.push(b.value); b.disabled = true; });
    joined.value = chosen.length === boxes.length ? "" : chosen.join("|");
  });
})();
