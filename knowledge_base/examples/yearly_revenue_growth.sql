-- Question: What was the year-over-year revenue growth?
-- Description: Revenue per year and its growth over the previous year; the latest year may be partial (the data ends on 2025-06-30).
WITH yearly AS (
    SELECT strftime('%Y', o.order_date) AS year,
           SUM(oi.quantity * oi.unit_price * (1 - oi.discount)) AS revenue
    FROM orders AS o
    JOIN order_items AS oi ON oi.order_id = o.order_id
    WHERE o.status NOT IN ('cancelled', 'returned')
    GROUP BY year
)
SELECT year,
       ROUND(revenue, 2) AS revenue,
       ROUND(100.0 * (revenue - LAG(revenue) OVER (ORDER BY year)) / LAG(revenue) OVER (ORDER BY year), 2) AS growth_pct
FROM yearly
ORDER BY year;
