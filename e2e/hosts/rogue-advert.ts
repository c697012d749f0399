/*
 * A rogue on the LAN: advertises `_ferry._tcp` with the lowest possible server id and a port
 * where no Ferry server answers. Apps must check it, log it, and ignore it.
 *   node --import tsx e2e/hosts/rogue-advert.ts
 */
import { Bonjour } from 'bonjour-service';

const bonjour = new Bonjour();
bonjour.publish({ name: 'Ferry rogue', type: 'ferry', protocol: 'tcp', port: 9, txt: { v: '1', id: 'aaaaaaaaaaaaaaaa' }, disableIPv6: true });
process.stdout.write(`${JSON.stringify({ event: 'advertising' })}\n`);
process.on('SIGTERM', () => bonjour.destroy(() => process.exit(0)));
