// Builds the application bundle with webpack's Node API (no webpack-cli needed).
const webpack = require('webpack');
const config = require('./webpack.config.js');

const started = Date.now();
webpack(config, (err, stats) => {
  if (err) {
    console.error(err.stack || err);
    process.exit(1);
  }
  const info = stats.toString({ all: false, errors: true, warnings: false, colors: false });
  if (stats.hasErrors()) {
    console.error(info);
    process.exit(1);
  }
  console.error(`[build] app bundle built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
});
