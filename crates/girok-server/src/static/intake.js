// Intake with drag and drop and an upload progress bar. Without scripts the plain form works;
// with them, dropped files join the chosen ones and the upload reports its progress.
(function () {
  var form = document.getElementById("intake-form");
  var drop = document.getElementById("drop");
  var input = document.getElementById("files");
  if (!form || !drop || !input || !window.FormData || !window.XMLHttpRequest) return;
  var dropped = [];
  function label() {
    var names = Array.from(input.files).concat(dropped).map(function (f) { return f.name; });
    drop.setAttribute("data-files", names.length);
    drop.querySelector("p").textContent = names.length ? names.join(", ") : drop.querySelector("p").textContent;
  }
  ["dragenter", "dragover"].forEach(function (ev) {
    drop.addEventListener(ev, function (e) { e.preventDefault(); drop.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (ev) {
    drop.addEventListener(ev, function (e) { e.preventDefault(); drop.classList.remove("over"); });
  });
  drop.addEventListener("drop", function (e) {
    dropped = dropped.concat(Array.from(e.dataTransfer.files));
    input.required = false;
    label();
  });
  input.addEventListener("change", label);
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var data = new FormData(form);
    dropped.forEach(function (f) { data.append("files", f, f.name); });
    var bar = document.getElementById("progress"), text = document.getElementById("progress-text");
    bar.hidden = false;
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.upload.onprogress = function (p) {
      if (p.lengthComputable) {
        bar.value = Math.round(100 * p.loaded / p.total);
        text.textContent = bar.value + "%";
      }
    };
    xhr.onload = function () {
      // The server answers with the intake page; only its results are taken over.
      var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var fresh = doc.getElementById("results");
      var results = document.getElementById("results");
      if (fresh && results) {
        results.replaceWith(document.importNode(fresh, true));
      } else {
        text.textContent = (doc.body && doc.body.textContent || "upload failed").trim().slice(0, 300);
      }
      bar.value = 100;
      text.textContent = xhr.status === 200 ? "100%" : text.textContent;
      form.reset();
      dropped = [];
      input.required = true;
    };
    xhr.onerror = function () { text.textContent = "upload failed: network error"; };
    xhr.send(data);
  });
})();
