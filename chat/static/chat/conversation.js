/* A support conversation, live: new messages, typing indicator, read receipts, edits and deletes.
 * Listens on the page's staff socket (live.js); replies are POSTed to the page, signals to the REST API. */
(function () {
  "use strict";
  var thread = document.getElementById("chat-thread");
  if (!thread || !window.autolabLive) { return; }
  var clientId = thread.dataset.clientId;
  var form = document.getElementById("chat-compose");
  var input = document.getElementById("chat-message");
  var typing = document.getElementById("chat-typing");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var typingTimer = null;
  var lastTypingSent = 0;

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body)
    });
  }

  function time(epoch) {
    return new Date(epoch * 1000).toLocaleString("en-AU", { timeZone: "Australia/Perth", day: "2-digit", month: "short", hour: "2-digit", minute: "2-digit" });
  }

  function bubble(id) { return thread.querySelector('[data-message-id="' + CSS.escape(id) + '"]'); }

  function append(message) {
    if (!message || !message.messageId || bubble(message.messageId)) { return; }
    var empty = document.getElementById("chat-empty");
    if (empty) { empty.remove(); }
    var fromStaff = message.senderId !== clientId;
    var element = document.createElement("div");
    element.className = "chat-bubble" + (fromStaff ? " staff" : "");
    element.dataset.messageId = message.messageId;
    var text = document.createElement("span");
    text.className = "text";
    text.textContent = message.message;
    var meta = document.createElement("span");
    meta.className = "meta";
    meta.textContent = time(message.createdAt || message.timestamp);
    if (fromStaff) {
      meta.appendChild(document.createTextNode(" · "));
      var receipt = document.createElement("span");
      receipt.className = "receipt";
      receipt.textContent = message.viewed ? "seen" : (message.received ? "delivered" : "sent");
      meta.appendChild(receipt);
    }
    element.appendChild(text);
    element.appendChild(meta);
    thread.appendChild(element);
    thread.scrollTop = thread.scrollHeight;
    typing.textContent = "";
    if (!fromStaff) { post("/api/messages/notify", { status: "MESSAGE_VIEWED", messageId: message.messageId }); }
  }

  function onStatus(event) {
    var element = event.messageId ? bubble(event.messageId) : null;
    if (event.status === "TYPING" && event.senderId === clientId) {
      typing.textContent = "Customer is typing…";
      clearTimeout(typingTimer);
      typingTimer = setTimeout(function () { typing.textContent = ""; }, 3000);
    } else if ((event.status === "MESSAGE_VIEWED" || event.status === "MESSAGE_RECEIVED") && element) {
      var receipt = element.querySelector(".receipt");
      if (receipt && receipt.textContent !== "seen") { receipt.textContent = event.status === "MESSAGE_VIEWED" ? "seen" : "delivered"; }
    } else if (event.status === "MESSAGE_EDITED" && element) {
      element.querySelector(".text").textContent = event.newMessage;
    } else if (event.status === "MESSAGE_DELETED" && element) {
      element.remove();
    }
  }

  window.autolabLive.on(function (event) {
    var about = event.clientId || event.userId;
    if (event.type === "message" && event.subtype === "new" && about === clientId) { append(event); }
    else if (event.type === "inbox" && event.clientId === clientId && event.lastMessage) { append(event.lastMessage); }
    else if (event.type === "notification" && event.subtype === "status" && about === clientId) { onStatus(event); }
    else if (event.type === "notification" && event.userId === clientId && /^user-(connected|disconnected)$/.test(event.subtype)) {
      document.getElementById("customer-online").classList.toggle("on", event.subtype === "user-connected");
    }
  });

  var select = document.getElementById("canned-reply");
  if (select) {
    select.addEventListener("change", function () {
      if (select.value) { input.value = input.value ? input.value + "\n" + select.value : select.value; input.focus(); }
      select.value = "";
    });
  }

  input.addEventListener("input", function () {
    if (Date.now() - lastTypingSent < 2000 || !input.value) { return; }
    lastTypingSent = Date.now();
    post("/api/messages/notify", { status: "TYPING", clientId: clientId });
  });

  form.addEventListener("submit", function (submit) {
    submit.preventDefault();
    if (!input.value.trim()) { return; }
    var data = new FormData(form);
    fetch(window.location.pathname, { method: "POST", credentials: "same-origin", body: data, headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.json(); })
      .then(function (body) {
        if (body.success) { append(body.message); input.value = ""; }
        else { window.autolabLive.toast("Message not sent", body.message); }
      })
      .catch(function () { window.autolabLive.toast("Message not sent", "Check your connection and try again."); });
  });
  thread.scrollTop = thread.scrollHeight;
})();
