/* LINE simulator (/dev/line, dev mode only): a phone-like chat with our own bot.
 * Every action POSTs to /dev/line/events or /dev/line/images, which build, sign and deliver a
 * real webhook event to /line/webhook. The bot's replies and pushes are polled from
 * /dev/line/messages (what the in-app fake LINE API received) and drawn as LINE would:
 * text with quick replies, Flex bubbles with buttons, the rich menu with its tap areas; a
 * datetimepicker chip opens simulator_picker.js's date input, limited as LINE limits it.
 * Everything from the server is put into the page with textContent / checked attributes. */
(function () {
  "use strict";

  var config = document.getElementById("sim-config").dataset;
  var texts = JSON.parse(document.getElementById("sim-texts").textContent);
  var chat = document.getElementById("sim-chat");
  var quick = document.getElementById("sim-quick");
  var fileInput = document.getElementById("sim-file");
  var warning = document.getElementById("sim-warning");
  var userId = localStorage.getItem("machi-sim-user") || newUserId();
  var lastSeq = 0, waitingSince = null;

  function newUserId() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    var id = "U" + Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
    localStorage.setItem("machi-sim-user", id);
    return id;
  }
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_m, key) { return String(values[key]); });
  }
  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    if (className) { node.className = className; }
    return node;
  }
  function colour(value) { return /^#[0-9a-fA-F]{3,8}$/.test(value || "") ? value : ""; }
  function safeUrl(value) { return /^(https?:|tel:)/.test(value || "") ? value : ""; }
  function scrollDown() { chat.scrollTop = chat.scrollHeight; }

  // ---------- chat bubbles ----------
  function userBubble(content) {
    var row = el("div", undefined, "sim-row sim-me");
    if (typeof content === "string") { row.appendChild(el("div", content, "sim-bubble")); }
    else { row.appendChild(content); }
    chat.appendChild(row);
    scrollDown();
  }
  function botRow(node, kind) {
    var row = el("div", undefined, "sim-row sim-bot");
    row.dataset.kind = kind;
    row.appendChild(node);
    chat.appendChild(row);
  }
  function systemLine(text) {
    chat.appendChild(el("div", text, "sim-system"));
    scrollDown();
  }

  // ---------- Flex ----------
  var SIZES = {xxs: "0.65rem", xs: "0.72rem", sm: "0.82rem", md: "0.92rem", lg: "1.05rem",
    xl: "1.2rem", xxl: "1.4rem", "3xl": "1.6rem", "4xl": "1.9rem", "5xl": "2.2rem"};
  function flexNode(component) {
    var type = component && component.type;
    if (type === "box") { return flexBox(component); }
    if (type === "text") { return flexText(component); }
    if (type === "separator") { return el("hr", undefined, "sim-fx-sep"); }
    if (type === "button") { return flexButton(component); }
    if (type === "image" && safeUrl(component.url)) {
      var img = el("img", undefined, "sim-fx-image"); img.src = component.url; img.alt = ""; return img;
    }
    return el("span");  // spacer, filler, icon: nothing to show
  }
  function flexBox(box) {
    var node = el("div", undefined, "sim-fx-box sim-fx-" + (box.layout || "vertical"));
    if (colour(box.backgroundColor)) { node.style.background = box.backgroundColor; }
    (box.contents || []).forEach(function (child) {
      var part = flexNode(child);
      if (child.flex !== undefined) { part.style.flex = String(child.flex); }
      node.appendChild(part);
    });
    return node;
  }
  function flexText(component) {
    var node = el("span", component.text, "sim-fx-text");
    if (colour(component.color)) { node.style.color = component.color; }
    if (component.weight === "bold") { node.style.fontWeight = "bold"; }
    if (SIZES[component.size]) { node.style.fontSize = SIZES[component.size]; }
    return node;
  }
  function flexButton(component) {
    var action = component.action || {};
    var button = el("button", action.label || "", "sim-fx-button sim-fx-" + (component.style || "link"));
    button.type = "button";
    button.addEventListener("click", function () { act(action); });
    return button;
  }
  function flexBubble(bubble) {
    var card = el("div", undefined, "sim-flex");
    ["header", "hero", "body", "footer"].forEach(function (part) {
      if (bubble[part]) {
        var section = flexNode(bubble[part]);
        section.classList.add("sim-fx-" + part);
        card.appendChild(section);
      }
    });
    return card;
  }
  function flexMessage(message) {
    var contents = message.contents || {};
    if (contents.type === "carousel") {
      var strip = el("div", undefined, "sim-carousel");
      (contents.contents || []).forEach(function (bubble) { strip.appendChild(flexBubble(bubble)); });
      return strip;
    }
    return flexBubble(contents);
  }

  // ---------- bot messages ----------
  function renderMessage(message) {
    if (message.type === "text") { botRow(el("div", message.text, "sim-bubble"), "text"); }
    else if (message.type === "flex") { botRow(flexMessage(message), "flex"); }
    else if (message.type === "image" && safeUrl(message.previewImageUrl)) {
      var img = el("img", undefined, "sim-photo"); img.src = message.previewImageUrl; botRow(img, "image");
    } else { botRow(el("div", fill(texts.unsupported, {type: message.type}), "sim-bubble"), "other"); }
    var items = message.quickReply && message.quickReply.items;
    renderQuickReplies(items || []);
  }
  function renderQuickReplies(items) {
    quick.replaceChildren();
    items.forEach(function (item) {
      var action = item.action || {};
      var chip = el("button", action.label || action.type, "sim-chip sim-chip-" + action.type);
      chip.type = "button";
      chip.addEventListener("click", function () { act(action); });
      quick.appendChild(chip);
    });
  }

  function poll() {
    fetch("/dev/line/messages?user_id=" + userId + "&after=" + lastSeq).then(function (r) {
      return r.ok ? r.json() : null;
    }).then(function (answer) {
      if (!answer) { return; }
      answer.sent.forEach(function (sent) { sent.messages.forEach(renderMessage); });
      if (answer.sent.length) { waitingSince = null; warning.hidden = true; scrollDown(); }
      lastSeq = answer.last;
      if (waitingSince && Date.now() - waitingSince > 8000) {
        warning.textContent = texts.no_answer; warning.hidden = false;
      }
    }).catch(function () { /* the next poll tries again */ }).then(function () {
      setTimeout(poll, 1000);
    });
  }

  // ---------- sending ----------
  function logEvent(answer) {
    var log = document.getElementById("sim-log");
    var event = answer.event || {};
    var postback = event.postback;
    var what = event.type + (event.message ? ":" + event.message.type : "") +
      (postback ? " " + postback.data : "") +
      (postback && postback.params ? " " + JSON.stringify(postback.params) : "");
    var item = el("li", what + " → " + (answer.webhook_status || answer.error));
    item.className = answer.ok ? "ok" : "bad";
    log.insertBefore(item, log.firstChild);
    if (!answer.ok) {
      systemLine(fill(texts.webhook_failed, {status: answer.webhook_status || answer.error}));
    }
  }
  function post(url, body, isForm) {
    quick.replaceChildren();  // LINE hides the quick replies once the user answers
    waitingSince = Date.now();
    var headers = {"X-CSRF-Token": config.csrf};
    if (!isForm) { headers["Content-Type"] = "application/json"; }
    return fetch(url, {method: "POST", headers: headers, body: isForm ? body : JSON.stringify(body)})
      .then(function (r) {
        return r.json().then(function (answer) {
          if (!r.ok) { throw new Error(r.status + " " + JSON.stringify(answer.detail || answer)); }
          logEvent(answer);
        });
      }).catch(function (error) { systemLine(fill(texts.send_failed, {error: error.message})); });
  }
  function sendEvent(fields) {
    fields.user_id = userId;
    return post("/dev/line/events", fields, false);
  }
  function sendText(text) {
    if (!text) { return; }
    userBubble(text);
    sendEvent({type: "text", text: text});
  }
  function sendPostback(data, displayText) {
    if (displayText) { userBubble(displayText); }
    sendEvent({type: "postback", data: data, display_text: displayText || null});
  }
  function sendPhoto(file) {
    var img = el("img", undefined, "sim-photo");
    img.src = URL.createObjectURL(file); img.alt = texts.photo;
    userBubble(img);
    var form = new FormData();
    form.append("user_id", userId);
    form.append("image", file);
    post("/dev/line/images", form, true);
  }

  function act(action) {
    if (action.type === "postback") { sendPostback(action.data, action.displayText); }
    else if (action.type === "message") { sendText(action.text); }
    else if (action.type === "location") { openLocation(); }
    else if (action.type === "camera" || action.type === "cameraRoll") { fileInput.click(); }
    else if (action.type === "datetimepicker") {
      if (!openPicker(action)) { systemLine(texts.action_unsupported); }
    }
    else if (action.type === "uri" && safeUrl(action.uri)) { window.open(action.uri, "_blank", "noopener"); }
    else { systemLine(texts.action_unsupported); }
  }

  var textInput = document.getElementById("sim-text");
  document.getElementById("sim-send").addEventListener("click", function () {
    sendText(textInput.value.trim()); textInput.value = "";
  });
  textInput.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.isComposing) {
      event.preventDefault(); sendText(textInput.value.trim()); textInput.value = "";
    }
  });
  document.getElementById("sim-photo-open").addEventListener("click", function () { fileInput.click(); });
  fileInput.addEventListener("change", function () {
    if (fileInput.files && fileInput.files[0]) { sendPhoto(fileInput.files[0]); }
    fileInput.value = "";
  });
  document.getElementById("sim-follow").addEventListener("click", function () {
    systemLine(texts.follow); sendEvent({type: "follow"});
  });
  document.getElementById("sim-unfollow").addEventListener("click", function () {
    systemLine(texts.unfollow); sendEvent({type: "unfollow"});
  });
  document.getElementById("sim-new-user").addEventListener("click", function () {
    userId = newUserId(); lastSeq = 0; chat.replaceChildren(); quick.replaceChildren();
    document.getElementById("sim-user").textContent = userId;
  });

  // ---------- location picker ----------
  var dialog = document.getElementById("sim-location");
  var map = null, marker = null, picked = null;
  function openLocation() {
    dialog.showModal();
    if (!map) {
      map = L.map("sim-map").setView([35.714, 139.41], 13);
      MachiBasemap.addFromElement(map, document.getElementById("sim-config"));
      fetch("/api/v1/districts").then(function (r) { return r.ok ? r.json() : null; })
        .then(function (districts) {
          if (!districts) { return; }
          var layer = L.geoJSON(districts, {interactive: false, style: {color: "#06c755", weight: 1, fillOpacity: 0.03}}).addTo(map);
          map.fitBounds(layer.getBounds());
        }).catch(function () { /* tiles and clicks work without them */ });
      map.on("click", function (event) {
        picked = event.latlng;
        if (marker) { marker.setLatLng(picked); } else { marker = L.marker(picked).addTo(map); }
        document.getElementById("sim-location-value").textContent =
          picked.lat.toFixed(6) + ", " + picked.lng.toFixed(6);
        document.getElementById("sim-location-send").disabled = false;
      });
    }
    setTimeout(function () { map.invalidateSize(); }, 50);
  }
  document.getElementById("sim-location-open").addEventListener("click", openLocation);
  document.getElementById("sim-location-cancel").addEventListener("click", function () { dialog.close(); });
  document.getElementById("sim-location-send").addEventListener("click", function () {
    if (!picked) { return; }
    var address = document.getElementById("sim-address").value.trim();
    userBubble(texts.location + " " + (address || picked.lat.toFixed(5) + ", " + picked.lng.toFixed(5)));
    sendEvent({type: "location", lat: picked.lat, lon: picked.lng, address: address || null});
    dialog.close();
  });

  // ---------- date / time picker (simulator_picker.js) ----------
  var openPicker = window.machiSimPicker(function (action, value) {
    var params = {};
    params[action.mode] = value;
    systemLine(fill(texts.picked, {value: value}));  // LINE itself shows no bubble
    sendEvent({type: "postback", data: action.data, params: params});
  });

  // ---------- rich menu ----------
  function renderRichMenu(menu) {
    var definition = menu.definition;
    var areas = document.getElementById("sim-richmenu-areas");
    var toggle = document.getElementById("sim-menu-toggle");
    document.getElementById("sim-richmenu-img").src = menu.image;
    document.getElementById("sim-menu-source").textContent =
      menu.source === "setup" ? texts.menu_setup : texts.menu_project;
    toggle.textContent = (definition.chatBarText || "メニュー") + " ▾";
    areas.replaceChildren();
    definition.areas.forEach(function (area) {
      var b = area.bounds, size = definition.size;
      var hit = el("button", area.action.label || area.action.displayText || "", "sim-area");
      hit.type = "button";
      hit.style.left = (100 * b.x / size.width) + "%";
      hit.style.top = (100 * b.y / size.height) + "%";
      hit.style.width = (100 * b.width / size.width) + "%";
      hit.style.height = (100 * b.height / size.height) + "%";
      hit.addEventListener("click", function () { act(area.action); });
      areas.appendChild(hit);
    });
    setMenuOpen(definition.selected !== false);
  }
  function setMenuOpen(open) {
    document.getElementById("sim-richmenu").hidden = !open;
    document.getElementById("sim-menu-toggle").setAttribute("aria-expanded", String(open));
  }
  document.getElementById("sim-menu-toggle").addEventListener("click", function () {
    setMenuOpen(document.getElementById("sim-richmenu").hidden);
  });

  document.getElementById("sim-user").textContent = userId;
  fetch("/dev/line/richmenu").then(function (r) { return r.json(); }).then(renderRichMenu);
  poll();
}());
