// Fills the coding form with the character offsets of the passage selected in the document.
// Offsets count Unicode characters (not UTF-16 units), as the archive does.
(function () {
  var text = document.getElementById("doc-text");
  var form = document.getElementById("code-form");
  if (!text || !form) return;
  text.addEventListener("mouseup", function () {
    var sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return;
    var range = sel.getRangeAt(0);
    if (!text.contains(range.startContainer) || !text.contains(range.endContainer)) return;
    var before = document.createRange();
    before.selectNodeContents(text);
    before.setEnd(range.startContainer, range.startOffset);
    var start = Array.from(before.toString()).length;
    var length = Array.from(range.toString()).length;
    form.elements["start"].value = start;
    form.elements["end"].value = start + length;
    document.getElementById("code-preview").textContent = range.toString();
  });
})();
