// webpack configuration of the tomolyte JupyterLab application (production, no source maps:
// the bundle is served, not debugged; CPU kept to 2 workers on the shared machines).
const path = require('path');
const webpack = require('webpack');
const { merge } = require('webpack-merge');
const TerserPlugin = require('terser-webpack-plugin');
const { Build } = require('@jupyterlab/builder');
const baseConfig = require('@jupyterlab/builder/lib/webpack.config.base');
const data = require('./package.json');

const buildDir = path.resolve(__dirname, 'build');
const parallel = Math.max(1, Number(process.env.TOMOLYTE_BUILD_JOBS || 2));

// Copies the schemas and themes of every extension package into build/ (where main.py points
// LabServerApp) and writes build/style.js importing their CSS. Returns the themes' webpack configs.
const themeConfigs = Build.ensureAssets({
  packageNames: [...data.jupyterlab.extensions, ...data.jupyterlab.mimeExtensions],
  output: buildDir
});

const minimizer = [new TerserPlugin({ parallel, extractComments: false })];

module.exports = [
  merge(baseConfig, {
    mode: 'production',
    devtool: false,
    entry: { bundle: path.resolve(__dirname, 'index.js') },
    output: {
      path: buildDir,
      filename: '[name].js',
      chunkFilename: '[name].[contenthash:8].js',
      publicPath: 'auto'
    },
    optimization: { minimizer },
    performance: { hints: false },
    plugins: [
      new webpack.DefinePlugin({ 'process.env.NODE_ENV': JSON.stringify('production') })
    ]
  }),
  ...themeConfigs.map(c => ({ ...c, optimization: { minimizer }, performance: { hints: false } }))
];
