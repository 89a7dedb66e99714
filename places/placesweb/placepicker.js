// The place picker: in a form's place field (class place-picker), staff type
// a few characters of a place's name (or code) and choose from the places
// GET /api/places suggests (or the URL the box's data-src names: the hub's
// pages search through their own sign-in); the chosen code goes into the form's field (a
// hidden input) and the place's path is shown beside it. Without this
// script the field is a plain text input that takes a code or a name.
(function () {
  "use strict";
  var en = document.documentElement.lang === "en";
  var hint = en ? "type a few characters of the name, then choose" : "输入名称中的几个字，再从列表中选择";

  function setup(box) {
    var code = box.querySelector("input[name]");
    var pathEl = box.querySelector(".place-path");
    if (!code || !pathEl) {
      return;
    }
    var levels = box.getAttribute("data-levels") || "";
    var src = box.getAttribute("data-src") || "/api/places";
    var name = code.name;

    // The search input takes the field's id, so that its label and the
    // field's error still point at what staff type into.
    var q = document.createElement("input");
    q.type = "text";
    q.id = code.id;
    q.size = 24;
    q.autocomplete = "off";
    q.placeholder = hint;
    q.className = "place-search";
    q.setAttribute("role", "combobox");
    q.setAttribute("aria-autocomplete", "list");
    q.setAttribute("aria-expanded", "false");
    q.setAttribute("aria-controls", "places-" + name);
    code.id = code.id + "-code";
    code.type = "hidden";

    // Shown: the place's own name when the code is known (its path's last
    // part), else whatever the field holds (a code or a name typed before).
    var path = pathEl.textContent.trim();
    q.value = path ? path.split(" / ").pop() : code.value;

    var list = document.createElement("ul");
    list.id = "places-" + name;
    list.className = "place-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    box.insertBefore(q, code);
    box.appendChild(list);

    var found = [];
    var active = -1;
    var seq = 0;
    var timer = null;

    function close() {
      list.hidden = true;
      q.setAttribute("aria-expanded", "false");
      active = -1;
    }

    function mark(i) {
      var items = list.children;
      for (var k = 0; k < items.length; k++) {
        items[k].className = k === i ? "active" : "";
        items[k].setAttribute("aria-selected", k === i ? "true" : "false");
      }
      active = i;
    }

    function choose(i) {
      var p = found[i];
      if (!p) {
        return;
      }
      code.value = p.code;
      q.value = p.name;
      pathEl.textContent = p.path;
      close();
    }

    function show(places) {
      found = places;
      list.textContent = "";
      places.forEach(function (p, i) {
        var li = document.createElement("li");
        li.setAttribute("role", "option");
        li.setAttribute("data-code", p.code);
        var b = document.createElement("b");
        b.textContent = p.name;
        var small = document.createElement("small");
        small.textContent = " " + p.path + "（" + p.code + "）";
        li.appendChild(b);
        li.appendChild(small);
        // mousedown, not click: it comes before the input loses focus.
        li.addEventListener("mousedown", function (e) {
          e.preventDefault();
          choose(i);
        });
        list.appendChild(li);
      });
      list.hidden = places.length === 0;
      q.setAttribute("aria-expanded", places.length ? "true" : "false");
      mark(-1);
    }

    function search() {
      var v = q.value.trim();
      var mine = ++seq;
      if (v === "") {
        show([]);
        return;
      }
      var url = src + "?q=" + encodeURIComponent(v) + (levels ? "&level=" + encodeURIComponent(levels) : "");
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) {
          return r.ok ? r.json() : [];
        })
        .then(function (places) {
          if (mine === seq && document.activeElement === q) {
            show(Array.isArray(places) ? places : []);
          }
        })
        .catch(function () {
          // Offline or signed out: the typed text still goes to the field.
        });
    }

    q.addEventListener("input", function () {
      // Until a place is chosen the field holds what is typed: a code, or a
      // name the station looks up when the form is saved.
      code.value = q.value.trim();
      pathEl.textContent = "";
      clearTimeout(timer);
      timer = setTimeout(search, 150);
    });
    q.addEventListener("keydown", function (e) {
      if (list.hidden) {
        if (e.key === "ArrowDown" && q.value.trim() !== "") {
          search();
        }
        return;
      }
      if (e.key === "ArrowDown") {
        e.preventDefault();
        mark(Math.min(active + 1, found.length - 1));
      } else if (e.key === "ArrowUp") {
        e.preventDefault();
        mark(Math.max(active - 1, 0));
      } else if (e.key === "Enter") {
        if (active >= 0) {
          e.preventDefault(); // choose, not submit
          choose(active);
        }
      } else if (e.key === "Escape") {
        close();
      }
    });
    q.addEventListener("blur", close);
  }

  var boxes = document.querySelectorAll(".place-picker");
  for (var i = 0; i < boxes.length; i++) {
    setup(boxes[i]);
  }
})();
