/* The support inbox list, live: rows move to the top with their last message, unread count,
 * assignee and online dot as events arrive on the page's staff socket (live.js). */
(function () {
  "use strict";
  var table = document.getElementById("inbox-table");
  if (!table || !window.autolabLive) { return; }
  var body = table.querySelector("tbody");
  var filter = table.dataset.filter;
  var me = table.dataset.me;

  function row(clientId) { return body.querySelector('tr[data-client-id="' + CSS.escape(clientId) + '"]'); }

  function cell(className, label) {
    var td = document.createElement("td");
    td.className = className;
    td.dataset.label = label;
    return td;
  }

  function createRow(event) {
    var tr = document.createElement("tr");
    tr.className = "inbox-row";
    tr.dataset.clientId = event.clientId;
    var dot = document.createElement("td");
    dot.innerHTML = '<span class="online-dot on" title="online"></span>';
    var who = cell("inbox-who", "Customer");
    var link = document.createElement("a");
    link.href = table.dataset.conversationUrl + encodeURIComponent(event.clientId) + "/";
    link.textContent = event.userName || "Anonymous customer";
    who.appendChild(link);
    tr.appendChild(dot);
    tr.appendChild(who);
    tr.appendChild(cell("inbox-last", "Last message"));
    tr.appendChild(cell("inbox-when", "When"));
    tr.appendChild(cell("inbox-unread", "Unread"));
    tr.appendChild(cell("inbox-assignee", "Assigned to"));
    return tr;
  }

  function belongs(event) {
    if (filter === "mine") { return event.assignedTo === me; }
    if (filter === "unassigned") { return !event.assignedTo; }
    return true;
  }

  function update(event) {
    var tr = row(event.clientId);
    if (!belongs(event)) { if (tr) { tr.remove(); } return; }
    if (!tr) {
      if (!event.lastMessage) { return; }
      tr = createRow(event);
      var empty = body.querySelector(".inbox-empty");
      if (empty) { empty.remove(); }
    }
    if (event.lastMessage) {
      tr.querySelector(".inbox-last").textContent = event.lastMessage.message;
      tr.querySelector(".inbox-when").textContent = new Date(event.lastMessage.createdAt * 1000)
        .toLocaleString("en-AU", { timeZone: "Australia/Perth", day: "2-digit", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" });
      body.insertBefore(tr, body.firstChild);
    }
    var unread = tr.querySelector(".inbox-unread");
    unread.innerHTML = event.unreadCount ? '<span class="badge badge-warn"></span>' : "";
    if (event.unreadCount) { unread.firstChild.textContent = event.unreadCount; }
    tr.classList.toggle("unread", !!event.unreadCount);
    tr.querySelector(".inbox-assignee").textContent = event.assignedTo ? (event.assignedTo === me ? "you" : "another agent") : "—";
  }

  window.autolabLive.on(function (event) {
    if (event.type === "inbox") { update(event); return; }
    if (event.type === "notification" && /^user-(connected|disconnected)$/.test(event.subtype)) {
      var tr = row(event.userId);
      if (tr) { tr.querySelector(".online-dot").classList.toggle("on", event.subtype === "user-connected"); }
    }
  });
})();
