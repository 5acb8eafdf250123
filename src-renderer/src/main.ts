import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';
import { connectToEngine } from './lib/engine-client';

const client = connectToEngine();
mount(App, { target: document.getElementById('app')!, props: { client } });
