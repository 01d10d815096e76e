import { initCopy } from './copy';
import { initCsrf } from './csrf';
import { initEditorForm } from './editor-form';
import { initFlash } from './flash';
import { initLogView } from './log-view';
import { initProgressBars } from './progress-bars';
import { initSystemCharts } from './system-charts';
import { initTaskEvents } from './task-events';
import { initTimes } from './times';
import { initResourceCharts } from './resource-charts';

// Entry of /assets/app.js: the pages' behaviour beyond htmx attributes. No inline scripts, no eval,
// no inline styles, so the site runs under a strict Content-Security-Policy.
function start(): void {
  initCsrf();
  initCopy();
  initFlash();
  initTimes();
  initEditorForm();
  initSystemCharts();
  initTaskEvents();
  initProgressBars();
  initLogView();
  initResourceCharts();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
