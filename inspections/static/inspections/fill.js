/* The inspection fill page (inspections/portal/fill.py): each answer is saved on its own through
   the JSON API with the checklist version and the item version this device last saw.

   - Every change goes into a queue kept in localStorage (one entry per item, and one for the
     vehicle details / verdict / summary), sent one at a time, so a reload or a dropped connection
     loses nothing; it is retried when the browser says it is online again, and with backoff.
   - Each card shows its state: saving, saved, queued offline, conflict, or the server's message.
   - A 409 means another device saved first: its stored answer is shown beside this device's, and
     the mechanic chooses. Neither is overwritten silently.
   - Photos are uploaded at once with a client-chosen photoId, so a retried upload is stored once. */
(function () {
  'use strict';
  var root = document.getElementById('insp-fill');
  if (!root) { return; }
  var api = root.dataset.api;
  var csrf = root.dataset.csrf;
  var maxPhotos = Number(root.dataset.maxPhotos || 10);
  var initial = JSON.parse(document.getElementById('insp-state').textContent);
  var templateVersion = initial.inspection.templateVersion;
  var storeKey = 'autolab.inspection.' + root.dataset.appointment + '.v' + templateVersion;
  var HEADER = 'header';
  var HEADER_FIELDS = ['odometer', 'vin', 'registration', 'verdict', 'summary'];
  var LABELS = {
    saving: 'Saving…', saved: 'Saved', queued: 'Queued offline', conflict: 'Conflict: choose below',
    empty: 'Not answered', error: 'Not saved', uploading: 'Uploading photo…'
  };
  var RATING_NAMES = {pass: 'Pass', attention: 'Attention', fail: 'Fail'};

  // What the server last told this device: item versions and answers, the header and its version.
  var items = initial.items;
  var header = initial.inspection;
  // The queue: key ('item:<id>' or 'header') -> entry, sent in ``order``.
  var pending = {};
  var order = [];
  var busy = false;
  var retryTimer = null;
  var backoff = 1000;
  var photoJobs = [];  // uploads and removals waiting for the connection (kept in memory only)

  // --- Storage -------------------------------------------------------------------------------------
  function persist() {
    try {
      localStorage.setItem(storeKey, JSON.stringify({pending: pending, order: order}));
    } catch (e) { /* storage full or disabled: the queue still works for this page's life */ }
  }

  function restore() {
    var saved = null;
    try { saved = JSON.parse(localStorage.getItem(storeKey) || 'null'); } catch (e) { saved = null; }
    if (!saved || !saved.order) { return; }
    saved.order.forEach(function (key) {
      var entry = saved.pending[key];
      if (!entry) { return; }
      pending[key] = entry;
      order.push(key);
      if (entry.type === 'item') { showAnswer(entry.id, entry.answer); } else { showHeader(entry.fields); }
      setState(key, 'queued');
    });
  }

  // --- The page --------------------------------------------------------------------------------------
  function card(itemId) { return document.getElementById('item-' + itemId); }
  function stateBox(key) {
    if (key === HEADER) { return document.getElementById('insp-header-state'); }
    var found = card(key.slice(5));
    return found ? found.querySelector('.insp-state') : null;
  }

  function setState(key, state, message) {
    var box = stateBox(key);
    if (box) {
      box.dataset.state = state;
      box.textContent = message ? LABELS[state] + ': ' + message : LABELS[state];
    }
    updateBar();
  }

  function updateBar() {
    var bar = document.getElementById('insp-sync');
    var waiting = order.length + photoJobs.length;
    var conflicts = document.querySelectorAll('.insp-state[data-state=conflict]').length;
    var text;
    if (conflicts) {
      text = conflicts + ' conflict' + (conflicts > 1 ? 's' : '') + ' to resolve';
    } else if (waiting && !navigator.onLine) {
      text = 'Offline: ' + waiting + ' change' + (waiting > 1 ? 's' : '') + ' queued';
    } else if (waiting) {
      text = 'Saving ' + waiting + ' change' + (waiting > 1 ? 's' : '') + '…';
    } else {
      text = 'All changes saved';
    }
    bar.textContent = text;
    bar.dataset.pending = String(waiting);
    bar.dataset.conflicts = String(conflicts);
  }

  function answerOf(itemId) {
    var el = card(itemId);
    var pressed = el.querySelector('.insp-rating[aria-pressed=true]');
    var value = el.querySelector('.insp-value');
    var text = el.querySelector('.insp-text');
    var number = value && value.value.trim() !== '' ? value.value.trim() : null;
    return {
      rating: pressed ? pressed.dataset.rating : null,
      value: number,
      text: text && text.value.trim() !== '' ? text.value : null
    };
  }

  function showAnswer(itemId, answer) {
    var el = card(itemId);
    if (!el) { return; }
    el.querySelectorAll('.insp-rating').forEach(function (button) {
      button.setAttribute('aria-pressed', String(button.dataset.rating === answer.rating));
    });
    var value = el.querySelector('.insp-value');
    if (value) { value.value = answer.value === null || answer.value === undefined ? '' : String(answer.value); }
    var text = el.querySelector('.insp-text');
    if (text) { text.value = answer.text || ''; }
  }

  function headerOf() {
    var fields = {};
    var odometer = document.getElementById('insp-odometer').value.trim();
    fields.odometer = odometer === '' ? null : Number(odometer);
    fields.vin = document.getElementById('insp-vin').value.trim() || null;
    fields.registration = document.getElementById('insp-registration').value.trim() || null;
    var verdict = document.querySelector('.insp-verdict-choice[aria-pressed=true]');
    fields.verdict = verdict ? verdict.dataset.verdict : null;
    fields.summary = document.getElementById('insp-summary').value.trim() || null;
    return fields;
  }

  function showHeader(fields) {
    if ('odometer' in fields) {
      document.getElementById('insp-odometer').value = fields.odometer === null ? '' : String(fields.odometer);
    }
    if ('vin' in fields) { document.getElementById('insp-vin').value = fields.vin || ''; }
    if ('registration' in fields) { document.getElementById('insp-registration').value = fields.registration || ''; }
    if ('verdict' in fields) {
      document.querySelectorAll('.insp-verdict-choice').forEach(function (button) {
        button.setAttribute('aria-pressed', String(button.dataset.verdict === fields.verdict));
      });
    }
    if ('summary' in fields) { document.getElementById('insp-summary').value = fields.summary || ''; }
  }

  // --- Comparing answers -------------------------------------------------------------------------------
  function num(value) { return value === null || value === undefined || value === '' ? null : Number(value); }
  function txt(value) { return value === null || value === undefined ? '' : String(value).trim(); }

  function sameAnswer(a, b) {
    return (a.rating || null) === (b.rating || null) && num(a.value) === num(b.value) && txt(a.text) === txt(b.text);
  }

  function sameField(name, a, b) {
    if (name === 'odometer') { return num(a) === num(b); }
    if (name === 'vin' || name === 'registration') {  // stored upper case, without spaces
      return txt(a).toUpperCase().replace(/[\s-]/g, '') === txt(b).toUpperCase().replace(/[\s-]/g, '');
    }
    return txt(a) === txt(b);
  }

  function describe(itemId, answer) {
    var parts = [];
    if (answer.rating) { parts.push(RATING_NAMES[answer.rating] || answer.rating); }
    if (num(answer.value) !== null) { parts.push(answer.value + ' ' + (card(itemId).dataset.unit || '')); }
    if (txt(answer.text)) { parts.push('“' + txt(answer.text) + '”'); }
    return parts.join(' · ') || 'nothing';
  }

  // --- The queue ------------------------------------------------------------------------------------------
  function enqueue(key, entry) {
    if (!(key in pending)) { order.push(key); }
    pending[key] = entry;
    persist();
    setState(key, navigator.onLine ? 'saving' : 'queued');
    kick();
  }

  function dequeue(key) {
    delete pending[key];
    order = order.filter(function (other) { return other !== key; });
    persist();
  }

  function itemChanged(itemId) {
    clearConflict('item:' + itemId);
    enqueue('item:' + itemId, {type: 'item', id: itemId, answer: answerOf(itemId), base: items[itemId].version});
  }

  function headerChanged(names) {
    var key = HEADER;
    clearConflict(key);
    var now = headerOf();
    var fields = pending[key] ? Object.assign({}, pending[key].fields) : {};
    names.forEach(function (name) { fields[name] = now[name]; });
    enqueue(key, {type: 'header', fields: fields, base: header.version, seen: pick(header, Object.keys(fields))});
  }

  function pick(source, names) {
    var out = {};
    names.forEach(function (name) { out[name] = source[name] === undefined ? null : source[name]; });
    return out;
  }

  function kick() {
    if (retryTimer) { clearTimeout(retryTimer); retryTimer = null; }
    if (!busy) { run(); }
    runPhotos();
  }

  function scheduleRetry() {
    if (retryTimer) { return; }
    retryTimer = setTimeout(function () { retryTimer = null; kick(); }, backoff);
    backoff = Math.min(backoff * 2, 15000);
  }

  function request(method, url, body) {
    var options = {method: method, credentials: 'same-origin', headers: {'X-CSRFToken': csrf, 'Accept': 'application/json'}};
    if (body instanceof FormData) {
      options.body = body;
    } else if (body !== undefined) {
      options.headers['Content-Type'] = 'application/json';
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (json) {
        return {status: response.status, ok: response.ok, body: json};
      });
    });
  }

  function send(entry) {
    if (entry.type === 'item') {
      var body = {templateVersion: templateVersion, version: entry.base, rating: entry.answer.rating,
                  value: entry.answer.value, text: entry.answer.text};
      return request('PUT', api + '/items/' + encodeURIComponent(entry.id), body);
    }
    return request('PATCH', api, Object.assign({version: entry.base}, entry.fields));
  }

  function transient(status) { return status >= 500 || status === 429 || status === 0; }

  function run() {
    if (!order.length) { updateBar(); return; }
    busy = true;
    var key = order[0];
    var entry = pending[key];
    setState(key, 'saving');
    send(entry).then(function (result) {
      if (transient(result.status)) { throw new Error('transient ' + result.status); }
      backoff = 1000;
      settle(key, entry, result);
      busy = false;
      run();
    }).catch(function () {
      busy = false;
      setState(key, 'queued');
      scheduleRetry();
    });
  }

  function settle(key, entry, result) {
    var current = pending[key];
    var replaced = current !== entry;  // changed again while this save was on its way
    if (entry.type === 'item') {
      settleItem(key, entry, current, replaced, result);
    } else {
      settleHeader(key, entry, current, replaced, result);
    }
  }

  function settleItem(key, entry, current, replaced, result) {
    var id = entry.id;
    var stored = result.body.item;
    if (result.ok || (result.status === 409 && stored && sameAnswer(stored, entry.answer))) {
      items[id] = Object.assign(items[id], {version: stored.version, rating: stored.rating, value: stored.value, text: stored.text});
      if (replaced) { current.base = stored.version; persist(); } else { dequeue(key); setState(key, 'saved'); }
      return;
    }
    dequeue(key);
    if (result.status === 409 && stored) {
      var mine = replaced ? current.answer : entry.answer;
      items[id].version = stored.version;
      conflictItem(id, mine, stored);
      return;
    }
    setState(key, 'error', result.body.message || ('HTTP ' + result.status));
  }

  function settleHeader(key, entry, current, replaced, result) {
    var stored = result.body.inspection;
    if (result.ok && stored) {
      header = Object.assign(header, pick(stored, HEADER_FIELDS), {version: stored.version});
      if (replaced) { current.base = stored.version; current.seen = pick(header, Object.keys(current.fields)); persist(); }
      else { dequeue(key); setState(key, 'saved'); }
      return;
    }
    if (result.status === 409 && stored) {
      var mine = replaced ? current : entry;
      var names = Object.keys(mine.fields);
      // Another device changed other fields only: those are taken, mine are sent again on its version.
      var theirs = names.filter(function (name) {
        return !sameField(name, stored[name], mine.seen[name]) && !sameField(name, stored[name], mine.fields[name]);
      });
      header = Object.assign(header, pick(stored, HEADER_FIELDS), {version: stored.version});
      var others = HEADER_FIELDS.filter(function (name) { return names.indexOf(name) < 0; });
      showHeader(pick(stored, others));
      if (!theirs.length) {
        mine.base = stored.version;
        mine.seen = pick(header, names);
        pending[key] = mine;
        persist();
        return;
      }
      dequeue(key);
      conflictHeader(mine.fields, stored, theirs);
      return;
    }
    dequeue(key);
    setState(key, 'error', result.body.message || ('HTTP ' + result.status));
  }

  // --- Conflicts: both answers side by side, the mechanic chooses ------------------------------------
  function conflictBox(key) {
    if (key === HEADER) { return document.getElementById('insp-header-conflict'); }
    return card(key.slice(5)).querySelector('.insp-conflict');
  }

  function clearConflict(key) {
    var box = conflictBox(key);
    if (box) { box.hidden = true; box.textContent = ''; }
  }

  function conflictChoices(key, theirsText, mineText, keepMine, useTheirs) {
    var box = conflictBox(key);
    box.textContent = '';
    var intro = document.createElement('p');
    intro.textContent = 'Another device saved this first. Choose which to keep:';
    var list = document.createElement('dl');
    [['Other device', theirsText, 'insp-theirs'], ['This phone', mineText, 'insp-mine']].forEach(function (row) {
      var term = document.createElement('dt');
      term.textContent = row[0];
      var value = document.createElement('dd');
      value.className = row[2];
      value.textContent = row[1];
      list.appendChild(term);
      list.appendChild(value);
    });
    var actions = document.createElement('div');
    actions.className = 'insp-conflict-actions';
    [['Keep mine', 'insp-keep-mine', keepMine], ['Use theirs', 'insp-use-theirs', useTheirs]].forEach(function (choice) {
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'button insp-choice ' + choice[1];
      button.textContent = choice[0];
      button.addEventListener('click', function () { box.hidden = true; box.textContent = ''; choice[2](); });
      actions.appendChild(button);
    });
    box.appendChild(intro);
    box.appendChild(list);
    box.appendChild(actions);
    box.hidden = false;
    setState(key, 'conflict');
  }

  function conflictItem(id, mine, stored) {
    var key = 'item:' + id;
    showAnswer(id, mine);
    conflictChoices(key, describe(id, stored), describe(id, mine), function () {
      showAnswer(id, mine);
      enqueue(key, {type: 'item', id: id, answer: mine, base: items[id].version});
    }, function () {
      items[id] = Object.assign(items[id], {rating: stored.rating, value: stored.value, text: stored.text});
      showAnswer(id, stored);
      setState(key, 'saved');
    });
  }

  function conflictHeader(fields, stored, names) {
    var theirs = names.map(function (name) { return name + ': ' + (stored[name] === null ? '—' : stored[name]); }).join(', ');
    var mine = names.map(function (name) { return name + ': ' + (fields[name] === null ? '—' : fields[name]); }).join(', ');
    showHeader(fields);
    conflictChoices(HEADER, theirs, mine, function () {
      showHeader(fields);
      enqueue(HEADER, {type: 'header', fields: fields, base: header.version, seen: pick(header, Object.keys(fields))});
    }, function () {
      showHeader(pick(stored, HEADER_FIELDS));
      setState(HEADER, 'saved');
    });
  }

  // --- Photos -------------------------------------------------------------------------------------------
  function photoId() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }

  function thumbList(itemId) { return card(itemId).querySelector('.insp-thumbs'); }

  function addThumb(itemId, photo, label) {
    var list = thumbList(itemId);
    var entry = list.querySelector('[data-photo-id="' + photo.photoId + '"]');
    if (!entry) {
      entry = document.createElement('li');
      entry.dataset.photoId = photo.photoId;
      list.appendChild(entry);
    }
    entry.textContent = '';
    entry.className = photo.thumbUrl ? 'insp-thumb' : 'insp-thumb insp-thumb-pending';
    if (photo.thumbUrl) {
      var img = document.createElement('img');
      img.src = photo.thumbUrl;
      img.alt = label;
      img.width = 72;
      img.height = 72;
      entry.appendChild(img);
      var remove = document.createElement('button');
      remove.type = 'button';
      remove.className = 'insp-photo-remove';
      remove.setAttribute('aria-label', 'Remove ' + label);
      remove.textContent = '×';
      entry.appendChild(remove);
    } else {
      entry.textContent = 'Uploading…';
    }
  }

  function photoCount(itemId) { return thumbList(itemId).children.length; }

  function photosChosen(itemId, input) {
    var files = Array.prototype.slice.call(input.files || []);
    var room = maxPhotos - photoCount(itemId);
    if (files.length > room) {
      setState('item:' + itemId, 'error', 'at most ' + maxPhotos + ' photos per item');
      files = files.slice(0, Math.max(room, 0));
    }
    files.forEach(function (file) {
      var id = photoId();
      addThumb(itemId, {photoId: id}, 'photo');
      photoJobs.push({type: 'add', itemId: itemId, photoId: id, file: file});
    });
    input.value = '';
    runPhotos();
  }

  var photosBusy = false;
  function runPhotos() {
    if (photosBusy || !photoJobs.length) { updateBar(); return; }
    photosBusy = true;
    var job = photoJobs[0];
    var key = 'item:' + job.itemId;
    setState(key, job.type === 'add' ? 'uploading' : 'saving');
    var call;
    if (job.type === 'add') {
      var form = new FormData();
      form.append('photo', job.file, job.file.name || 'photo.jpg');
      form.append('photoId', job.photoId);
      call = request('POST', api + '/items/' + encodeURIComponent(job.itemId) + '/photos', form);
    } else {
      call = request('DELETE', api + '/items/' + encodeURIComponent(job.itemId) + '/photos/' + encodeURIComponent(job.photoId));
    }
    call.then(function (result) {
      if (transient(result.status)) { throw new Error('transient ' + result.status); }
      photoJobs.shift();
      photosBusy = false;
      if (result.ok && result.body.item) {
        items[job.itemId].version = result.body.item.version;
        showPhotos(job.itemId, result.body.item.photos);
        setState(key, pending[key] ? 'saving' : 'saved');
      } else {
        if (job.type === 'add') {
          var tile = thumbList(job.itemId).querySelector('[data-photo-id="' + job.photoId + '"]');
          if (tile) { tile.remove(); }
        }
        setState(key, 'error', result.body.message || ('HTTP ' + result.status));
      }
      runPhotos();
    }).catch(function () {
      photosBusy = false;
      setState(key, 'queued');
      scheduleRetry();
    });
  }

  function showPhotos(itemId, photos) {
    var list = thumbList(itemId);
    var pendingIds = photoJobs.filter(function (job) { return job.itemId === itemId && job.type === 'add'; })
      .map(function (job) { return job.photoId; });
    Array.prototype.slice.call(list.children).forEach(function (tile) {
      var known = photos.some(function (photo) { return photo.photoId === tile.dataset.photoId; });
      if (!known && pendingIds.indexOf(tile.dataset.photoId) < 0) { tile.remove(); }
    });
    photos.forEach(function (photo, at) { addThumb(itemId, photo, 'photo ' + (at + 1)); });
  }

  // --- Submit -------------------------------------------------------------------------------------------
  function submit() {
    var message = document.getElementById('insp-submit-message');
    document.querySelectorAll('.insp-missing').forEach(function (el) { el.classList.remove('insp-missing'); });
    var waiting = order.length + photoJobs.length;
    if (waiting) {
      message.textContent = 'Wait: ' + waiting + ' change' + (waiting > 1 ? 's are' : ' is') + ' not saved yet.';
      kick();
      return;
    }
    if (document.querySelectorAll('.insp-state[data-state=conflict]').length) {
      message.textContent = 'Resolve the conflicts first.';
      return;
    }
    message.textContent = 'Submitting…';
    request('POST', api + '/submit', {version: header.version}).then(function (result) {
      if (result.status === 202 || result.ok) {
        localStorage.removeItem(storeKey);
        message.textContent = 'Submitted. The report is being rendered.';
        window.location.reload();
        return;
      }
      if (result.body.inspection) { header.version = result.body.inspection.version; }
      var missing = (result.body.missing || []);
      missing.forEach(function (id) { var el = card(id); if (el) { el.classList.add('insp-missing'); } });
      message.textContent = result.body.message || ('Not submitted (HTTP ' + result.status + ').');
      if (missing.length && card(missing[0])) { card(missing[0]).scrollIntoView({block: 'center'}); }
    }).catch(function () {
      message.textContent = 'No connection: submit again when you are back online.';
    });
  }

  // --- Wiring ------------------------------------------------------------------------------------------
  var timers = {};
  function soon(key, action) {
    clearTimeout(timers[key]);
    timers[key] = setTimeout(action, 700);
  }

  root.querySelectorAll('.insp-item').forEach(function (el) {
    var id = el.dataset.itemId;
    el.querySelectorAll('.insp-rating').forEach(function (button) {
      button.addEventListener('click', function () {
        var on = button.getAttribute('aria-pressed') !== 'true';
        el.querySelectorAll('.insp-rating').forEach(function (other) { other.setAttribute('aria-pressed', 'false'); });
        button.setAttribute('aria-pressed', String(on));
        itemChanged(id);
      });
    });
    el.querySelectorAll('.insp-value, .insp-text').forEach(function (input) {
      input.addEventListener('input', function () { soon(id, function () { itemChanged(id); }); });
      input.addEventListener('change', function () { clearTimeout(timers[id]); itemChanged(id); });
    });
    var photo = el.querySelector('.insp-photo');
    if (photo) { photo.addEventListener('change', function () { photosChosen(id, photo); }); }
    el.querySelector('.insp-thumbs').addEventListener('click', function (event) {
      var button = event.target.closest('.insp-photo-remove');
      if (!button) { return; }
      var tile = button.closest('[data-photo-id]');
      photoJobs.push({type: 'remove', itemId: id, photoId: tile.dataset.photoId});
      tile.classList.add('insp-thumb-pending');
      runPhotos();
    });
  });

  [['insp-odometer', 'odometer'], ['insp-vin', 'vin'], ['insp-registration', 'registration'], ['insp-summary', 'summary']]
    .forEach(function (pair) {
      var input = document.getElementById(pair[0]);
      input.addEventListener('input', function () { soon(HEADER, function () { headerChanged([pair[1]]); }); });
      input.addEventListener('change', function () { clearTimeout(timers[HEADER]); headerChanged([pair[1]]); });
    });
  document.querySelectorAll('.insp-verdict-choice').forEach(function (button) {
    button.addEventListener('click', function () {
      document.querySelectorAll('.insp-verdict-choice').forEach(function (other) { other.setAttribute('aria-pressed', 'false'); });
      button.setAttribute('aria-pressed', 'true');
      headerChanged(['verdict']);
    });
  });
  document.getElementById('insp-submit').addEventListener('click', submit);
  window.addEventListener('online', function () { backoff = 1000; kick(); });
  window.addEventListener('offline', updateBar);

  restore();
  updateBar();
  kick();
  root.dataset.ready = '1';
  window.autolabInspection = {waiting: function () { return order.length + photoJobs.length; }};
}());
