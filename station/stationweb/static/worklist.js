// The worklist page: 全选未核实 ticks every person not verified yet who has
// a status last month to carry over.
(function () {
  var b = document.getElementById('wl-select-undone');
  if (!b) { return; }
  b.addEventListener('click', function () {
    var boxes = document.querySelectorAll('input.wl-undone');
    for (var i = 0; i < boxes.length; i++) { boxes[i].checked = true; }
  });
})();
