import type { Theme } from 'vitepress';
import DefaultTheme from 'vitepress/theme';
import { defineAsyncComponent, type Component } from 'vue';
import PackagesTable from './components/PackagesTable.vue';
import './custom.css';

// Every components/<Name>Demo.vue is usable in any page as <NameDemo />, loaded with its page.
const demos = import.meta.glob<{ default: Component }>('./components/*Demo.vue');

export default {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    app.component('PackagesTable', PackagesTable);
    for (const [path, load] of Object.entries(demos)) {
      const name = path.slice(path.lastIndexOf('/') + 1, -'.vue'.length);
      app.component(name, defineAsyncComponent(async () => (await load()).default));
    }
  },
} satisfies Theme;
