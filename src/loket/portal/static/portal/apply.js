/* The application form on a cheap phone and a slow line (progressive enhancement:
   without this script the form posts as usual and the server checks everything).
   - the error summary takes focus, so it is read first;
   - a file over its size limit is caught before sending; a photo over the limit is
     made smaller in the browser (canvas, JPEG) until it fits;
   - a "take a photo" button opens the camera (capture) where photos are accepted;
   - files go with a progress bar, the button disabled while sending. */
(function () {
  "use strict";
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }
  var form = document.getElementById("apply-form");
  if (!form || !window.FormData || !window.XMLHttpRequest) { return; }
  var pending = 0;

  function text(name, values) {
    var template = form.getAttribute("data-text-" + name) || "";
    return template.replace(/\{(\w+)\}/g, function (_m, key) { return values[key]; });
  }
  function megabytes(bytes) {
    return (Math.round(bytes / 104857.6) / 10).toString().replace(".", document.documentElement.lang === "id" ? "," : ".");
  }
  function noteFor(input) {
    var id = input.id + "_note";
    var note = document.getElementById(id);
    if (!note) {
      note = document.createElement("p");
      note.id = id;
      note.className = "hint";
      note.setAttribute("aria-live", "polite");
      input.parentNode.insertBefore(note, input.nextSibling);
    }
    return note;
  }
  function setFile(input, file) {
    var transfer = new DataTransfer();
    transfer.items.add(file);
    input.files = transfer.files;
  }
  // createImageBitmap decodes the file itself: no blob: URL for the CSP to refuse.
  function loadImage(file) {
    if (!window.createImageBitmap) { return Promise.reject(new Error("no decoder")); }
    return createImageBitmap(file);
  }
  function toJpeg(canvas, quality) {
    return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", quality); });
  }
  // Longest side 2560 px first, then smaller and lower quality until it fits.
  function shrink(file, maxBytes) {
    return loadImage(file).then(function (image) {
      var scale = Math.min(1, 2560 / Math.max(image.width, image.height));
      var quality = 0.85;
      function attempt() {
        var canvas = document.createElement("canvas");
        canvas.width = Math.max(1, Math.round(image.width * scale));
        canvas.height = Math.max(1, Math.round(image.height * scale));
        canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
        return toJpeg(canvas, quality).then(function (blob) {
          if (blob && blob.size <= maxBytes) {
            var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
            return new File([blob], name, { type: "image/jpeg" });
          }
          if (scale < 0.05) { throw new Error("too big"); }
          scale *= 0.8;
          quality = Math.max(0.6, quality - 0.05);
          return attempt();
        });
      }
      return attempt();
    });
  }
  function check(input) {
    var file = input.files && input.files[0];
    var note = noteFor(input);
    note.textContent = "";
    if (!file) { return; }
    var maxBytes = parseInt(input.getAttribute("data-max-bytes"), 10);
    if (!maxBytes || file.size <= maxBytes) { return; }
    var types = (input.getAttribute("data-types") || "").split(" ");
    var limitText = { size: megabytes(file.size), limit: megabytes(maxBytes) };
    if (!/^image\/(jpeg|png)$/.test(file.type) || types.indexOf("jpeg") < 0) {
      input.value = "";
      note.textContent = text("too-big", limitText);
      return;
    }
    pending += 1;
    note.textContent = text("resizing", {});
    shrink(file, maxBytes).then(function (smaller) {
      setFile(input, smaller);
      note.textContent = text("resized", { size: megabytes(smaller.size) });
    }, function () {
      input.value = "";
      note.textContent = text("too-big", limitText);
    }).then(function () { pending -= 1; });
  }
  function addCamera(input) {
    var types = (input.getAttribute("data-types") || "").split(" ");
    if (types.indexOf("jpeg") < 0) { return; }
    var camera = document.createElement("input");
    camera.type = "file";
    camera.accept = "image/*";
    camera.setAttribute("capture", "environment");
    camera.hidden = true;
    camera.tabIndex = -1;
    camera.setAttribute("aria-hidden", "true");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary camera";
    button.textContent = text("camera", {});
    button.addEventListener("click", function () { camera.click(); });
    camera.addEventListener("change", function () {
      if (camera.files && camera.files[0]) { setFile(input, camera.files[0]); check(input); }
    });
    input.parentNode.insertBefore(button, input.nextSibling);
    input.parentNode.insertBefore(camera, button.nextSibling);
  }

  // Back to this page from the browser's history: the button works again.
  window.addEventListener("pageshow", function () {
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = false; }
  });

  var inputs = form.querySelectorAll("input[type=file][data-max-bytes]");
  Array.prototype.forEach.call(inputs, function (input) {
    addCamera(input);
    input.addEventListener("change", function () { check(input); });
  });

  form.addEventListener("submit", function (event) {
    var button = form.querySelector("button[type=submit]");
    var hasFile = Array.prototype.some.call(inputs, function (input) { return input.files && input.files.length; });
    if (pending > 0) { event.preventDefault(); return; }
    if (button) { button.disabled = true; }
    if (!hasFile) { return; }  // nothing heavy to send: an ordinary post
    event.preventDefault();
    var box = form.querySelector(".sending");
    var bar = box && box.querySelector("progress");
    if (box) { box.hidden = false; }
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.upload.addEventListener("progress", function (progress) {
      if (bar && progress.lengthComputable) { bar.value = Math.round(100 * progress.loaded / progress.total); }
    });
    request.addEventListener("load", function () {
      var redirected = request.responseURL && request.responseURL !== form.action;
      if (redirected && request.status === 200) { window.location.assign(request.responseURL); return; }
      // A page with errors (or the expired-session page): show it as the browser would.
      document.open();
      document.write(request.responseText);
      document.close();
    });
    request.addEventListener("error", function () {
      if (button) { button.disabled = false; }
      if (box) { box.hidden = true; }
      noteFor(button).textContent = text("failed", {});
    });
    request.send(new FormData(form));
  });
}());

/* A KBLI box gets suggestions as the applicant types a code or words of its title
   (the list is the server's; without this script the box takes a code as typed). */
(function () {
  "use strict";
  var form = document.getElementById("apply-form");
  var url = form && form.getAttribute("data-kbli-url");
  if (!url || !window.fetch) { return; }
  Array.prototype.forEach.call(form.querySelectorAll("input[data-lookup=kbli]"), function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    var timer = null;
    var asked = "";
    input.addEventListener("input", function () {
      var query = input.value.trim();
      if (query.length < 2 || query === asked || /^\d{5}\s/.test(query)) { return; }
      clearTimeout(timer);
      timer = setTimeout(function () {
        asked = query;
        fetch(url + "?q=" + encodeURIComponent(query), { credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .then(function (found) {
            list.textContent = "";
            found.results.forEach(function (item) {
              var option = document.createElement("option");
              option.value = item.code + " \u2013 " + item.title;
              list.appendChild(option);
            });
          })
          .catch(function () { /* no suggestions: the box still takes a code */ });
      }, 250);
    });
  });
}());
