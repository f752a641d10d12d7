"""HTML pages of the event loop (thin: parse with a form, call a selector or service, render).

- `mobile`: the grid worker's phone page (report, my reports, verify);
- `lists`: the dispatcher's queue and map, a unit's inbox;
- `detail`: the event page with its action forms;
- `intake`: hotline intake;
- `public`: a resident's report form and the public follow pages;
- `admin_pages`: evaluation, routing rules, notifications.
"""
