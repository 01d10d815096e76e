// Entry of /assets/app.js, the page-wide client script; empty until the pages need behaviour of their own.
export {};
