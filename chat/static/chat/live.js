/* Staff live notifications for every portal page.
 * Opens the staff WebSocket (/ws/, authenticated by the portal session), shows toasts for business
 * events and chat messages, and keeps unread badges per category. Pages such as the support inbox
 * subscribe with window.autolabLive.on(fn) instead of opening a second socket. */
(function () {
  "use strict";
  var root = document.getElementById("autolab-live");
  if (!root || window.autolabLive) { return; }
  var listeners = [];
  var state = { userId: null, chat: false, socket: null, connected: false };
  var STORAGE_KEY = "autolab-live-unread";
  var QUIET = { "connection": 1, "inbox": 1, "slots.updated": 1, "error": 1 };

  function unread() {
    try { return JSON.parse(sessionStorage.getItem(STORAGE_KEY)) || {}; } catch (e) { return {}; }
  }
  function saveUnread(counts) { sessionStorage.setItem(STORAGE_KEY, JSON.stringify(counts)); renderBadges(); }

  function category(event) {
    if (event.type === "message") { return "messages"; }
    if (event.type === "notification" && /^user-(assigned|released)$/.test(event.subtype || "")) { return "messages"; }
    var prefix = String(event.type || "").split(".")[0];
    return { appointment: "appointments", order: "orders", inquiry: "inquiries", payment: "payments" }[prefix] || null;
  }

  function badgeHost() {
    var host = document.getElementById("live-badges");
    if (host) { return host; }
    var tools = document.getElementById("user-tools");
    if (!tools) { return null; }
    host = document.createElement("span");
    host.id = "live-badges";
    host.className = "live-badges";
    tools.insertBefore(host, tools.firstChild);
    return host;
  }

  function renderBadges() {
    var host = badgeHost();
    if (!host) { return; }
    var counts = unread();
    host.innerHTML = "";
    var dot = document.createElement("span");
    dot.className = "live-status" + (state.connected ? " on" : "");
    dot.title = state.connected ? "Live updates connected" : "Live updates disconnected";
    dot.id = "live-status";
    host.appendChild(dot);
    Object.keys(counts).forEach(function (name) {
      if (!counts[name]) { return; }
      var badge = document.createElement("span");
      badge.className = "live-badge";
      badge.dataset.category = name;
      badge.textContent = name + " " + (counts[name] > 9 ? "9+" : counts[name]);
      badge.title = "Mark as seen";
      badge.addEventListener("click", function () { clear(name); });
      host.appendChild(badge);
    });
  }

  function clear(name) { var counts = unread(); delete counts[name]; saveUnread(counts); }

  function toastHost() {
    var host = document.getElementById("live-toasts");
    if (!host) {
      host = document.createElement("div");
      host.id = "live-toasts";
      host.setAttribute("aria-live", "polite");
      document.body.appendChild(host);
    }
    return host;
  }

  function toast(title, text, url) {
    var element = document.createElement("div");
    element.className = "live-toast";
    var strong = document.createElement("strong");
    strong.textContent = title;
    element.appendChild(strong);
    element.appendChild(document.createTextNode(text || ""));
    element.addEventListener("click", function () { if (url) { window.location.href = url; } element.remove(); });
    toastHost().appendChild(element);
    var timer = setTimeout(function () { element.remove(); }, 8000);
    element.addEventListener("mouseenter", function () { clearTimeout(timer); });
    element.addEventListener("mouseleave", function () { timer = setTimeout(function () { element.remove(); }, 3000); });
  }

  function describe(event) {
    if (event.type === "message" && event.subtype === "new") {
      if (event.senderId === state.userId || event.receiverId === event.clientId) { return null; }
      return { title: "New message from " + (event.senderName || "Customer"), text: event.message,
               url: root.dataset.inboxUrl + encodeURIComponent(event.clientId) + "/" };
    }
    if (event.title || typeof event.message === "string") {
      return { title: event.title || humanize(event.type), text: event.message || "", url: event.url || null };
    }
    if (category(event)) {
      // Business events of other apps carry ids and states, not sentences.
      var id = event.customerName || event.referenceNumber || event.appointmentId || event.orderId || event.inquiryId || "";
      var phase = event.status || event.paymentStatus || "";
      return { title: TITLES[event.type] || humanize(event.type), text: [id, phase].filter(Boolean).join(" · "), url: event.url || null };
    }
    return null;
  }

  var TITLES = {
    "appointment.created": "New appointment booked", "appointment.updated": "Appointment updated",
    "order.created": "New order created", "order.updated": "Order updated",
    "payment.confirmed": "Payment confirmed", "payment.refunded": "Payment refunded", "payment.reverted": "Payment reverted",
    "inquiry.created": "New customer inquiry"
  };

  function humanize(type) {
    var words = String(type || "update").replace(/[._-]+/g, " ").trim();
    return words.charAt(0).toUpperCase() + words.slice(1);
  }

  function onEvent(event) {
    listeners.forEach(function (fn) { try { fn(event); } catch (e) { console.error(e); } });
    if (QUIET[event.type] || (event.type === "notification" && event.subtype === "status")) { return; }
    if (event.type === "notification" && /^user-(connected|disconnected)$/.test(event.subtype || "")) { return; }
    var shown = describe(event);
    if (!shown) { return; }
    var name = category(event);
    if (name && name !== herePage()) { var counts = unread(); counts[name] = (counts[name] || 0) + 1; saveUnread(counts); }
    toast(shown.title, shown.text, shown.url);
  }

  var retries = 0;
  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + root.dataset.wsPath);
    state.socket = socket;
    socket.onopen = function () { socket.send(JSON.stringify({ action: "staff-init" })); };
    socket.onmessage = function (message) {
      var event;
      try { event = JSON.parse(message.data); } catch (e) { return; }
      if (event.type === "connection" && event.subtype === "init") {
        state.connected = !!event.success; state.userId = event.userId || null; state.chat = !!event.chat;
        retries = 0; renderBadges();
        document.body.dataset.liveReady = state.connected ? "1" : "0";
      }
      onEvent(event);
    };
    socket.onclose = function () {
      state.connected = false; renderBadges();
      document.body.dataset.liveReady = "0";
      retries += 1;
      setTimeout(connect, Math.min(10000, 1000 * Math.pow(2, Math.min(retries, 4))));
    };
  }
  setInterval(function () {
    if (state.socket && state.socket.readyState === 1) { state.socket.send(JSON.stringify({ action: "ping", timestamp: Date.now() })); }
  }, 25000);

  window.autolabLive = {
    on: function (fn) { listeners.push(fn); },
    state: state,
    clear: clear,
    toast: toast
  };
  function herePage() {
    var page = document.getElementById("live-page");
    return page ? page.dataset.category : null;
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (herePage()) { clear(herePage()); }
    renderBadges();
  });
  if (document.readyState !== "loading") { renderBadges(); }
  connect();
})();
